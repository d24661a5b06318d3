"""Name lists for the generated schools: Flemish and Dutch names, with the variety of a Flemish city school.

Children's names follow what was given in Flanders around 2008-2015, their parents' around 1970-1990.
"""

from __future__ import annotations

BOYS = (
    "Noah", "Louis", "Lucas", "Arthur", "Liam", "Jules", "Adam", "Finn", "Mathis", "Victor", "Lars", "Vince",
    "Seppe", "Warre", "Milan", "Wout", "Siebe", "Senne", "Stan", "Kobe", "Ruben", "Robbe", "Thibault", "Lowie",
    "Xander", "Bram", "Mauro", "Nathan", "Elias", "Emiel", "Rayan", "Mohamed", "Ilias", "Yassin", "Amir",
    "Youssef", "Emre", "Kacper", "Luca", "Matteo", "Arne", "Jasper", "Jonas", "Jens", "Toon", "Tuur", "Staf",
    "Cas", "Rune", "Lander", "Ferre", "Mats", "Jarne", "Bas", "Hugo", "Maxime", "Thomas", "Gilles", "Mil",
    "Briek", "Nand", "Otis", "Lewis", "Daan", "Sem", "Pieter-Jan", "Jef", "Ward", "Lukas", "Aaron", "Wannes",
)

GIRLS = (
    "Emma", "Louise", "Olivia", "Elise", "Nora", "Marie", "Lotte", "Fien", "Ella", "Mila", "Lina", "Julie",
    "Hanne", "Lore", "Lien", "Febe", "Ine", "Jana", "Noor", "Amber", "Zoë", "Anna", "Sara", "Yasmine", "Aya",
    "Imane", "Inès", "Chloé", "Camille", "Charlotte", "Laura", "Emily", "Lena", "Kato", "Nina", "Roos", "Margot",
    "Axelle", "Hélène", "Paulien", "Silke", "Lisa", "Jolien", "Eline", "Amélie", "Estelle", "Lucie", "Maud",
    "Marthe", "Fleur", "Hajar", "Salma", "Zeynep", "Oona", "Lisa-Marie", "Floor", "Ilke", "Tess", "Juliette",
    "Manon", "Elena", "Luna", "Jade", "Liv", "Bo", "Alix", "Anouk", "Romy", "Merel", "Saar", "Wiebke",
)

MEN = (
    "Tom", "Kristof", "Bart", "Peter", "Steven", "Koen", "Wim", "Pieter", "Jeroen", "Dieter", "Geert", "Filip",
    "Joris", "Nico", "Dirk", "Stijn", "Sven", "Davy", "Kurt", "Gert", "Frederik", "Wouter", "Tim", "Jan", "Hans",
    "Yves", "Björn", "Kevin", "Glenn", "Wesley", "Mohammed", "Hassan", "Ahmed", "Mustafa", "Marek", "Pascal",
    "Olivier", "Thomas", "Brecht", "Bert", "Lieven", "Maarten", "Jurgen", "Vincent", "Gunther", "Patrick",
    "Christophe", "Dimitri", "Benny", "Kenneth", "Hakim", "Murat", "Tomasz", "Jean-Pierre", "Raf", "Luc",
)

WOMEN = (
    "Nathalie", "Sofie", "Katrien", "Veerle", "Els", "An", "Sarah", "Liesbeth", "Griet", "Kathleen", "Ann",
    "Inge", "Tine", "Evelien", "Hilde", "Karen", "Nele", "Leen", "Ellen", "Kim", "Sandra", "Elke", "Sabine",
    "Heidi", "Marijke", "Barbara", "Annelies", "Joke", "Lies", "Eva", "Stefanie", "Fatima", "Samira", "Naima",
    "Ayşe", "Valérie", "Isabelle", "Caroline", "Delphine", "Marleen", "Kristel", "Goedele", "Ilse", "Martine",
    "Femke", "Wendy", "Tinne", "Hanne", "Katja", "Agnieszka", "Malika", "Bieke", "Sien", "Nadia", "Greet",
)

# Teachers born 1990-2001: a younger generation next to the parents' one.
YOUNG_MEN = ("Robin", "Niels", "Sander", "Dries", "Ruben", "Michiel", "Jens", "Jasper", "Bavo", "Arno", "Yannick")
YOUNG_WOMEN = ("Laura", "Charlotte", "Lisa", "Julie", "Jolien", "Lien", "Elien", "Margaux", "Hanne", "Yana", "Febe")

LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Dubois", "Hermans", "Aerts", "Pauwels", "Van den Broeck", "De Backer", "Vermeulen", "Van Damme", "Desmet",
    "De Vos", "Michiels", "Verstraete", "Van de Velde", "Claeys", "Segers", "Lambrechts", "Vandenberghe",
    "De Clercq", "Martens", "Vermeiren", "Smets", "Dewulf", "De Wilde", "Van Hecke", "Bogaerts", "Cools",
    "Verhoeven", "Van Acker", "Coppens", "Declercq", "Leclercq", "Thys", "Verbruggen", "Van Dyck", "De Meyer",
    "Hendrickx", "Baert", "Geerts", "Vandamme", "Wuyts", "Van Laere", "Stevens", "Verhaegen", "Bauwens",
    "Verschueren", "Huysmans", "Lemmens", "De Coster", "Vanderstraeten", "Dhondt", "Sels", "Goris", "Van Looy",
    "Van Gucht", "Nys", "Beyens", "D'Hondt", "De Ridder", "Van Belle", "Gielen", "Vos", "Van Hoof", "Tack",
    "Schepens", "Van Hove", "De Bruyn", "Boonen", "Moens", "Renders", "Daems", "Vervoort", "Bosmans", "Heylen",
    "Verlinden", "Wyns", "Op de Beeck", "Vanhoutte", "Callens", "De Graeve", "Vandewalle", "Verheyen", "Laenen",
    "Van Aken", "Vanneste", "Deprez", "Ceulemans", "Van Rompaey", "Engelen", "Knockaert", "Vanhove", "Claessens",
    "Dumont", "Lenaerts", "Timmermans", "Van Camp", "De Pauw", "Van der Linden", "Mortier", "Vlaeminck",
    # The variety of a Flemish city: families with Moroccan, Turkish, Polish, Congolese, Walloon roots.
    "El Amrani", "Benali", "El Idrissi", "Bouzid", "Ait Taleb", "Yilmaz", "Kaya", "Demir", "Özdemir", "Nowak",
    "Wójcik", "Kaczmarek", "Mbuyi", "Kabongo", "Diallo", "Lambert", "Leroy", "Dupont", "Rossi", "Garcia",
)
