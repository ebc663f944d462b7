"""Small lists the scale data is drawn from: Latvian-looking names, schools, topics, suppliers.

Made up for the generator (no real people): first names and the two gendered forms of common
Latvian surnames; the e-mail addresses use the reserved domain ``scale.example`` (RFC 2606), so
no mail can ever reach anyone.
"""

EMAIL_DOMAIN = "scale.example"

FEMALE_FIRST = [
    "Anna", "Laura", "Ilze", "Inese", "Kristīne", "Līga", "Daiga", "Sandra", "Ieva", "Zane",
    "Dace", "Inga", "Santa", "Evita", "Jolanta", "Marija", "Elīna", "Agnese", "Baiba", "Gunta",
    "Anita", "Rūta", "Vita", "Aija", "Sarmīte", "Ināra", "Ligita", "Olga", "Svetlana", "Jeļena",
    "Natālija", "Irēna", "Dzintra", "Ilona", "Linda", "Madara", "Signe", "Egija", "Antra",
    "Solvita", "Māra", "Ginta", "Lāsma", "Aiga", "Iveta", "Krista", "Renāte", "Dagnija",
]  # fmt: skip
MALE_FIRST = [
    "Jānis", "Andris", "Pēteris", "Mārtiņš", "Edgars", "Kārlis", "Aivars", "Juris", "Māris",
    "Uldis", "Valdis", "Artūrs", "Raimonds", "Guntis", "Ivars", "Normunds", "Roberts", "Dainis",
    "Aleksandrs", "Sergejs", "Vladimirs", "Gints", "Oskars", "Rihards", "Ēriks", "Toms",
    "Kristaps", "Aigars", "Agris", "Viktors", "Jurijs", "Armands",
]  # fmt: skip
# (male form, female form)
SURNAMES = [
    ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozols", "Ozola"), ("Jansons", "Jansone"),
    ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"), ("Balodis", "Balode"), ("Eglītis", "Eglīte"),
    ("Zariņš", "Zariņa"), ("Pētersons", "Pētersone"), ("Vītols", "Vītola"), ("Kļaviņš", "Kļaviņa"),
    ("Kārkliņš", "Kārkliņa"), ("Vanags", "Vanaga"), ("Zālītis", "Zālīte"), ("Lapiņš", "Lapiņa"),
    ("Siliņš", "Siliņa"), ("Ziemelis", "Ziemele"), ("Kalējs", "Kalēja"), ("Strazds", "Strazda"),
    ("Liepa", "Liepa"), ("Priede", "Priede"), ("Grants", "Granta"), ("Ābele", "Ābele"),
    ("Rozenbergs", "Rozenberga"), ("Vilks", "Vilka"), ("Sproģis", "Sproģe"), ("Cīrulis", "Cīrule"),
    ("Dzenis", "Dzene"), ("Lācis", "Lāce"), ("Ivanovs", "Ivanova"), ("Petrovs", "Petrova"),
    ("Kuzņecovs", "Kuzņecova"), ("Smirnovs", "Smirnova"), ("Vasiļjevs", "Vasiļjeva"),
    ("Šteins", "Šteina"), ("Gailis", "Gaile"), ("Avotiņš", "Avotiņa"), ("Mednis", "Medne"),
    ("Puriņš", "Puriņa"), ("Skuja", "Skuja"), ("Freimanis", "Freimane"), ("Upenieks", "Upeniece"),
    ("Zeltiņš", "Zeltiņa"), ("Ķēniņš", "Ķēniņa"), ("Počs", "Poča"), ("Jurāns", "Jurāne"),
    ("Laizāns", "Laizāne"), ("Apinis", "Apine"), ("Ezeriņš", "Ezeriņa"),
]  # fmt: skip

# Latvian letters -> ASCII for the e-mail's local part.
ASCII = str.maketrans("āčēģīķļņōŗšūžĀČĒĢĪĶĻŅŌŖŠŪŽ", "acegiklnorsuzACEGIKLNORSUZ")

# The genitive of each state city (the others are "<X> novads" -> "<X> novada").
CITY_GENITIVE = {
    "daugavpils": "Daugavpils",
    "jelgava": "Jelgavas",
    "jurmala": "Jūrmalas",
    "liepaja": "Liepājas",
    "rezekne": "Rēzeknes",
    "riga": "Rīgas",
    "ventspils": "Ventspils",
}
SCHOOL_KINDS = [
    ("{n}. vidusskola", 30),
    ("{n}. pamatskola", 18),
    ("Valsts ģimnāzija", 8),
    ("{n}. ģimnāzija", 6),
    ("tehnikums", 4),
    ("pirmsskolas izglītības iestāde “Saulīte”", 4),
    ("Mākslas skola", 2),
    ("Izglītības pārvalde", 4),
    ("sākumskola", 4),
]

# Stage themes: (Latvian, English) and eight session topics each.
THEMES = [
    (
        (
            "Eksaktās zinātnes un kompetencēs balstīta pieeja",
            "The exact sciences, competence-based",
        ),
        [
            (
                "Kompetencēs balstītā pieeja: ievads",
                "The competence-based approach: an introduction",
            ),
            ("Pētnieciskā darbība fizikā", "Inquiry in physics"),
            ("Eksperimenti ķīmijā", "Experiments in chemistry"),
            ("Dabaszinības un bioloģija laukā", "Natural sciences and biology in the field"),
            ("Matemātika ikdienā", "Mathematics in everyday life"),
            ("Datu analīze mācību stundā", "Data analysis in the lesson"),
            ("Inovāciju centri izglītībā", "Innovation centres in education"),
            ("Noslēguma projekti", "Final projects"),
        ],
    ),
    (
        ("Uzņēmējdarbība un karjeras izglītība", "Entrepreneurship and career education"),
        [
            ("Uzņēmējspējas skolā", "Entrepreneurial skills at school"),
            ("Karjeras vadības prasmes", "Career management skills"),
            ("Skolēnu mācību uzņēmumi", "Student companies"),
            ("Finanšu pratība", "Financial literacy"),
            ("Sadarbība ar uzņēmumiem", "Working with companies"),
            ("Ideju radīšana un dizaina domāšana", "Ideas and design thinking"),
            ("Norvēģijas partneru pieredze", "The Norwegian partners' experience"),
            ("Noslēguma prezentācijas", "Final presentations"),
        ],
    ),
    (
        ("Digitālās tehnoloģijas STEM mācībās", "Digital technology in STEM teaching"),
        [
            ("Programmēšanas pamati", "Programming basics"),
            ("Robotika sākumskolā", "Robotics in primary school"),
            ("Mikrokontrolieri un sensori", "Microcontrollers and sensors"),
            ("3D modelēšana un druka", "3D modelling and printing"),
            ("Simulācijas fizikā", "Simulations in physics"),
            ("Digitālā drošība", "Digital safety"),
            ("Mākslīgais intelekts mācībās", "Artificial intelligence in learning"),
            ("Projektu darbs", "Project work"),
        ],
    ),
    (
        ("Inženierzinātnes un tehnoloģijas", "Engineering and technology"),
        [
            ("Inženierdomāšana", "Engineering thinking"),
            ("Materiālu pētīšana", "Investigating materials"),
            ("Enerģija un vide", "Energy and the environment"),
            ("Konstruēšana un prototipi", "Design and prototypes"),
            ("Mērījumi un precizitāte", "Measurement and precision"),
            ("Laboratorijas drošība", "Laboratory safety"),
            ("Starpdisciplināri projekti", "Interdisciplinary projects"),
            ("Pieredzes apmaiņa", "Sharing experience"),
        ],
    ),
]

TRAINERS = [
    "Ilze Paraudziņa", "Andris Kalviņš", "Dace Krūmiņa", "Pēteris Vanags", "Inese Vītola",
    "Gunta Ozola", "Māris Lapiņš", "Kristīne Zariņa", "Edgars Balodis", "Linda Priede",
    "Ole Hansen", "Ingrid Nilsen", "Aivars Strazds", "Jeļena Petrova",
]  # fmt: skip
VENUES = [
    "Vienības iela 30, Daugavpils",
    "Parādes iela 1, Daugavpils",
    "Raiņa bulvāris 19, Rīga",
    "Atbrīvošanas aleja 115, Rēzekne",
]
CANCEL_REASONS = [
    "Nevaru piedalīties darba dēļ",
    "Slimība",
    "Pieteicos kļūdas pēc",
    "Laiks vairs neder",
    "",
    "",
]
STAFF_CANCEL_REASONS = ["Dubults pieteikums", "Pēc dalībnieka lūguma pa tālruni"]
REVOCATION_REASONS = ["Kļūda apliecībā: izsniegta no jauna ar labotu vārdu", "Izsniegta kļūdas pēc"]

# Budget headings: (code, Latvian, English, share of the total cost).
HEADINGS = [
    ("1", "Personāla izmaksas", "Staff costs", "0.30"),
    ("2", "Lektoru honorāri", "Trainers' fees", "0.28"),
    ("3", "Aprīkojums", "Equipment", "0.22"),
    ("4", "Telpu noma", "Premises", "0.08"),
    ("5", "Komandējumi", "Travel", "0.04"),
    ("6", "Publicitāte", "Publicity", "0.03"),
    ("7", "Administratīvās izmaksas", "Administrative costs", "0.05"),
]
SUPPLIERS = [
    "SIA “Mācību centrs”", "SIA “Tehnoloģiju serviss”", "AS “Latvijas Mobilais Telefons”",
    "SIA “Biroja preces”", "Daugavpils Universitāte", "SIA “Laboratorijas aprīkojums”",
    "SIA “Ceļojumu birojs”", "SIA “Drukātava”", "IK “Lektors”",
]  # fmt: skip
