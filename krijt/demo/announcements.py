"""The demo school's news and calendar of the term: a parents' evening with an acknowledgement, a staff
meeting, an excursion for the family's class with a consent slip (some families answered, the demo parent
still can), the report day, the exam period pinned for the students, a study day, and one announcement
scheduled for the next school day; each with its event in the school calendar (the study day a day without
lessons), besides a weekly homework class and a staff meeting. All through the announcement and calendar
services at the moments they were posted; the worker tells people as it would have.

Part of krijt.demo.activity's replay.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from krijt.accounts.models import ParentLink
from krijt.agenda import services as agenda
from krijt.agenda.models import Event
from krijt.announcements import services as news
from krijt.announcements.models import Announcement
from krijt.core import clock
from krijt.core.roles import Role
from krijt.schools.models import Enrollment

if TYPE_CHECKING:
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

ADMIN = frozenset({Role.ADMIN.value})
TEACHER = frozenset({Role.TEACHER.value})
PARENT = frozenset({Role.PARENT.value})


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m")


def term(replay: _Replay, rng: random.Random, *, past: list[dt.date], coming: list[dt.date],
         family: DemoAccounts) -> None:
    from krijt.demo.activity import _quiet_refusals

    school, admin = replay.school, family.admin
    if len(past) < 12 or len(coming) < 6:
        return
    made: dict[str, Announcement] = {}
    place = Enrollment.objects.filter(school=school, student=family.student).select_related("class_group").first()

    def post(key: str, author: object, roles: frozenset[str], data: news.AnnouncementIn) -> Callable[[], None]:
        def run() -> None:
            with _quiet_refusals("an announcement"):
                made[key] = news.announcement_post(school=school, author=author, roles=roles,  # type: ignore[arg-type]
                                                   data=data)
                replay.summary.counts["announcements"] += 1
        return run

    def event(author: object, roles: frozenset[str], data: agenda.EventIn, news_key: str = "") -> Callable[[], None]:
        def run() -> None:
            with _quiet_refusals("an event"):
                linked = made.get(news_key)
                agenda.event_add(school=school, author=author, roles=roles,  # type: ignore[arg-type]
                                 data=dataclasses.replace(data, announcement_id=linked.pk if linked else None))
                replay.summary.counts["events"] += 1
        return run

    evening, report_day, exams, study_day = coming[3], coming[4], coming[5], coming[2]
    # The weekly homework class since the start of these weeks, and a staff meeting to come.
    replay.at(past[0], dt.time(9, 0), event(admin, ADMIN, agenda.EventIn(
        title="Huiswerkbegeleiding", starts_on=past[0] + dt.timedelta(days=(2 - past[0].weekday()) % 7),
        start_time=dt.time(15, 45), end_time=dt.time(16, 45), place="Studiezaal", audience=["students"],
        rule=f"FREQ=WEEKLY;UNTIL={coming[-1] + dt.timedelta(days=60):%Y%m%d}", skip_days_without_school=True,
        description="Elke woensdag: rustig je huiswerk maken met een leerkracht in de buurt. Vrij binnenlopen.")))
    replay.at(past[-11], dt.time(9, 30), event(admin, ADMIN, agenda.EventIn(
        title="Personeelsvergadering", starts_on=coming[1], start_time=dt.time(16, 0), end_time=dt.time(18, 0),
        place="Leraarskamer", audience=["staff"], category=Event.Category.OTHER)))
    replay.at(past[-12], dt.time(10, 15), post("evening", admin, ADMIN, news.AnnouncementIn(
        title="Oudercontact", audience=["parents"], reply="read", answer_by=evening,
        body=(f"Beste ouders,\n\nOp **{_day(evening)}** vanaf 16:30 is er oudercontact. U kiest een moment bij de "
              "klastitularis via het rapport. Laat ons even weten dat u dit gelezen hebt."),
        translations={"fr": ("Réunion des parents", "Chers parents, une réunion des parents a lieu le "
                             f"{_day(evening)} à partir de 16h30."),
                      "en": ("Parents' evening", f"Dear parents, the parents' evening is on {_day(evening)} "
                             "from 16:30.")})))
    replay.at(past[-12], dt.time(10, 20), event(admin, ADMIN, agenda.EventIn(
        title="Oudercontact", starts_on=evening, start_time=dt.time(16, 30), end_time=dt.time(20, 30),
        place="Klaslokalen", audience=["parents"], category=Event.Category.PARENT_EVENING,
        description="Gesprekken van tien minuten met de klastitularis en de vakleerkrachten."), "evening"))
    replay.at(past[-10], dt.time(8, 5), post("staff", admin, ADMIN, news.AnnouncementIn(
        title="Nieuwe afspraken rond de middagpauze", audience=["staff"], pinned_until=past[-1],
        body="Vanaf maandag is de refter open vanaf 12:05. Toezicht volgens het nieuwe rooster aan het bord.")))
    replay.at(past[-8], dt.time(11, 0), post("study-day", admin, ADMIN, news.AnnouncementIn(
        title="Pedagogische studiedag", audience=["school"],
        body=(f"Op {_day(study_day)} is er een pedagogische studiedag: de leerlingen hebben die dag geen les. "
              "Er is opvang tot 17:00 voor wie dat vooraf vraagt op het secretariaat."),
        translations={"fr": ("Journée pédagogique", f"Le {_day(study_day)}, les élèves n'ont pas cours.")})))
    replay.at(past[-8], dt.time(11, 5), event(admin, ADMIN, agenda.EventIn(
        title="Pedagogische studiedag", starts_on=study_day, category=Event.Category.STUDY_DAY,
        description="Geen les voor de leerlingen; opvang tot 17:00 op aanvraag."), "study-day"))
    if place is not None:
        group = place.class_group
        author = group.mentor or admin
        roles = TEACHER if group.mentor is not None else ADMIN
        replay.at(past[-6], dt.time(15, 40), post("excursion", author, roles, news.AnnouncementIn(
            title=f"Uitstap naar Gent met {group.name}", audience=[f"parents-class:{group.pk}", f"class:{group.pk}"],
            reply="slip", slip_question="Mag uw kind mee op uitstap naar Gent?",
            slip_options=["Ja, mijn kind gaat mee", "Nee, mijn kind gaat niet mee"], answer_by=coming[1],
            body=(f"Op {_day(coming[4])} bezoeken we het Gravensteen en het STAM. Vertrek om 8:30 aan de school, "
                  "terug rond 16:00. Kostprijs: 18 euro (op de schoolrekening). Een lunchpakket meebrengen.")),
            ))
        replay.at(past[-6], dt.time(15, 45), event(author, roles, agenda.EventIn(
            title=f"Uitstap naar Gent ({group.name})", starts_on=coming[4], start_time=dt.time(8, 30),
            end_time=dt.time(16, 0), place="Gent: Gravensteen en STAM", category=Event.Category.EXCURSION,
            audience=[f"parents-class:{group.pk}", f"class:{group.pk}"],
            description="Vertrek en terugkomst aan de school. Lunchpakket meebrengen."), "excursion"))

        def answers() -> None:
            item = made.get("excursion")
            if item is None:
                return
            links = list(ParentLink.objects.filter(
                school=school, student__enrollments__class_group=group).exclude(parent=family.parent)
                .select_related("parent").order_by("pk"))
            for link in links[: max(1, len(links) * 2 // 3)]:
                with _quiet_refusals("an answer to a reply slip"):
                    news.answer_give(school=school, user=link.parent, roles=PARENT, announcement_id=item.pk,
                                     student_id=link.student_id, choice=rng.choice(item.slip_options[:1] * 5
                                                                                  + item.slip_options[1:]))
                    replay.summary.counts["answers"] += 1
        replay.at(past[-4], dt.time(20, 0), answers)
    replay.at(past[-3], dt.time(12, 30), post("report", admin, ADMIN, news.AnnouncementIn(
        title="Rapportdag", audience=["students", "parents"],
        body=(f"Op {_day(report_day)} krijgen de leerlingen hun rapport van het eerste trimester. "
              "De klastitularis overloopt het rapport eerst samen met de klas."))))
    replay.at(past[-3], dt.time(12, 35), event(admin, ADMIN, agenda.EventIn(
        title="Rapportdag", starts_on=report_day, category=Event.Category.REPORT_DAY,
        audience=["students", "parents"]), "report"))
    replay.at(past[-2], dt.time(9, 0), post("exams", admin, ADMIN, news.AnnouncementIn(
        title="Examenperiode", audience=["students"], pinned_until=exams,
        body=(f"De examens beginnen op {_day(exams)}. Het examenrooster staat in de planner; studeer op tijd "
              "en vraag je leerkracht om hulp als iets niet duidelijk is."))))
    replay.at(past[-2], dt.time(9, 5), event(admin, ADMIN, agenda.EventIn(
        title="Examenperiode", starts_on=exams, ends_on=exams + dt.timedelta(days=11),
        category=Event.Category.EXAM_PERIOD, audience=["students", "parents"],
        description="Het examenrooster per klas staat in de planner."), "exams"))
    # One left to appear on the next school day at 07:30, as the administrator scheduled it.
    next_day = next((d for d in coming if clock.aware(d, dt.time(7, 30), replay.tz) > replay.now), None)
    if next_day is not None:
        replay.at(past[-1], dt.time(16, 0), post("scheduled", admin, ADMIN, news.AnnouncementIn(
            title="Warme truien gezocht", audience=["school"], publish_at=clock.aware(next_day, dt.time(7, 30),
                                                                                      replay.tz),
            body="Voor de inzameling van de leerlingenraad zoeken we warme truien. Breng ze mee naar het onthaal.")))
