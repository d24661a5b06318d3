"""How Krijt abbreviates months in dates ("N" in a date format), overriding Django's AP style where a
school reader expects otherwise: "5 Oct 2026" in English, "5 okt 2026" in Dutch, "5 oct. 2026" in French,
always lower case mid-sentence in Dutch and French. Listed here so that the message catalogues carry them;
Krijt's catalogues (LOCALE_PATHS) take precedence over Django's own."""

from django.utils.translation import pgettext_lazy

MONTH_ABBREVIATIONS = (
    pgettext_lazy("abbrev. month", "Jan."), pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"), pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"), pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"), pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."), pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."), pgettext_lazy("abbrev. month", "Dec."),
)
