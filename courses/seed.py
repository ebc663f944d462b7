"""The programme as the source article describes it: the data that `seed_programme` loads.

Facts come from shared/seed/facts.md and the Latvian news article (Daugavpils City Council,
2021). Where the article gives no figure (the dates and times of stage 1's sessions, the plans of
stages 2-4), the values are a plausible demo schedule that keeps every fact the article states:
8 online Zoom sessions from March 2021 totalling 60 academic hours, about 20 participants,
4 stages, the programme delivered by the end of 2023. Times are Europe/Riga wall-clock times.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

RIGA = ZoneInfo("Europe/Riga")

PROJECT_NUMBER = "NFI/IC/VIAA/2020/4"
AGREEMENT_NUMBER = "9.-20.2.2.1/4"
ORGANISER_ADDRESS = "Vienības iela 30, Daugavpils"


def riga(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=RIGA)


PROGRAMME = {
    "project_number": PROJECT_NUMBER,
    "agreement_number": AGREEMENT_NUMBER,
    "title_lv": "Inovāciju centra izveidošana Daugavpilī",
    "title_en": "Establishment of an Innovation Centre in Daugavpils",
    "funding_frame_lv": (
        "Eiropas Ekonomikas zonas finanšu instrumenta un Norvēģijas finanšu instrumenta "
        "2014.–2021. gada perioda programmas “Pētniecība un izglītība” aktivitāte "
        "“Inovācijas centri”"
    ),
    "funding_frame_en": (
        "EEA Financial Mechanism and Norwegian Financial Mechanism 2014-2021, "
        "programme “Research and Education”, activity “Innovation centres”"
    ),
    # The article's sentence, word for word, with only its doubled "Nr. Nr." corrected.
    "acknowledgement_lv": (
        "Projekts “Inovāciju centra izveidošana Daugavpilī”, Proj.nr. NFI/IC/VIAA/2020/4, "
        "Līguma Nr. 9.-20.2.2.1/4 tiek īstenots Eiropas Ekonomikas zonas finanšu instrumenta "
        "un Norvēģijas finanšu instrumenta 2014. - 2021. gada perioda programmas “Pētniecība "
        "un izglītība” aktivitātes “Inovācijas centri” ietvaros."
    ),
    "acknowledgement_en": (
        "The project “Establishment of an Innovation Centre in Daugavpils” (Inovāciju centra "
        "izveidošana Daugavpilī), project no. NFI/IC/VIAA/2020/4, agreement no. 9.-20.2.2.1/4, "
        "is implemented within the activity “Innovation centres” of the programme “Research "
        "and Education” of the European Economic Area (EEA) Financial Mechanism and the "
        "Norwegian Financial Mechanism 2014-2021."
    ),
    "organiser_lv": "Daugavpils Inovāciju centrs",
    "organiser_en": "Daugavpils Innovation Centre",
    "organiser_address": ORGANISER_ADDRESS,
    "partner_lv": "Daugavpils Universitāte",
    "partner_en": "Daugavpils University",
    "end_date": date(2023, 12, 31),
    "minutes_per_academic_hour": 45,
}

STAGE_1_DESCRIPTION_LV = (
    "Tiešsaistes apmācības Zoom platformā STEM jomas un uzņēmējdarbības speciālistiem: "
    "skolotājiem (dabaszinības, ķīmija, fizika, ekonomika u. c.), karjeras konsultantiem un "
    "izglītības metodiķiem. 8 nodarbības, 60 akadēmiskās stundas: eksakto zinātņu virzieni, "
    "kompetencēs balstītā pieeja izglītībā un Norvēģijas partneru pieredze, kā izmantot "
    "inovāciju centrus, lai bērniem attīstītu daudzveidīgas prasmes."
)
STAGE_1_DESCRIPTION_EN = (
    "Online training on Zoom for STEM and entrepreneurship specialists: teachers (natural "
    "sciences, chemistry, physics, economics and others), career counsellors and education "
    "methodologists. 8 sessions, 60 academic hours: fields of the exact sciences, the "
    "competence-based approach in education, and the Norwegian partners' experience of using "
    "innovation centres to develop diverse skills in children."
)
LATER_STAGE_DESCRIPTION_LV = "Posms ir plānots; nodarbību grafiks tiks publicēts."
LATER_STAGE_DESCRIPTION_EN = "This stage is planned; its schedule will be published."

STAGES = [
    {
        "order": 1,
        "title_lv": "Eksaktās zinātnes un kompetencēs balstīta pieeja izglītībā",
        "title_en": "The exact sciences and the competence-based approach in education",
        "description_lv": STAGE_1_DESCRIPTION_LV,
        "description_en": STAGE_1_DESCRIPTION_EN,
        "planned_academic_hours": Decimal("60.00"),
        "capacity": 20,
        "registration_opens_at": riga(date(2021, 2, 1), time(9, 0)),
        "registration_closes_at": riga(date(2021, 3, 1), time(0, 0)),
    },
    {
        "order": 2,
        "title_lv": "Otrais apmācību posms",
        "title_en": "Second training stage",
        "description_lv": LATER_STAGE_DESCRIPTION_LV,
        "description_en": LATER_STAGE_DESCRIPTION_EN,
        "planned_academic_hours": Decimal("60.00"),
        "capacity": 20,
    },
    {
        "order": 3,
        "title_lv": "Trešais apmācību posms",
        "title_en": "Third training stage",
        "description_lv": LATER_STAGE_DESCRIPTION_LV,
        "description_en": LATER_STAGE_DESCRIPTION_EN,
        "planned_academic_hours": Decimal("60.00"),
        "capacity": 20,
    },
    {
        "order": 4,
        "title_lv": "Ceturtais apmācību posms",
        "title_en": "Fourth training stage",
        "description_lv": LATER_STAGE_DESCRIPTION_LV,
        "description_en": LATER_STAGE_DESCRIPTION_EN,
        "planned_academic_hours": Decimal("60.00"),
        "capacity": 20,
    },
]

# Stage 1: eight Saturdays, 10:00-16:00 in Riga (six hours with breaks), 7.5 academic hours each
# (7.5 x 45 min = 337.5 min of teaching), 60 academic hours in all. The schedule crosses the
# change to summer time on 28 March 2021.
SESSION_DAYS = [
    date(2021, 3, 6),
    date(2021, 3, 13),
    date(2021, 3, 20),
    date(2021, 3, 27),
    date(2021, 4, 10),
    date(2021, 4, 17),
    date(2021, 4, 24),
    date(2021, 5, 8),
]
SESSION_TOPICS = [
    (
        "Kompetencēs balstītā pieeja izglītībā: ievads",
        "The competence-based approach in education: an introduction",
    ),
    (
        "Kompetencēs balstītā pieeja eksakto zinātņu mācīšanā",
        "The competence-based approach in teaching the exact sciences",
    ),
    ("Eksakto zinātņu virzieni: fizika", "Fields of the exact sciences: physics"),
    ("Eksakto zinātņu virzieni: ķīmija", "Fields of the exact sciences: chemistry"),
    (
        "Eksakto zinātņu virzieni: dabaszinības un bioloģija",
        "Fields of the exact sciences: natural sciences and biology",
    ),
    ("Eksakto zinātņu virzieni: matemātika", "Fields of the exact sciences: mathematics"),
    (
        "Norvēģijas partneru pieredze: inovāciju centri izglītībā",
        "The Norwegian partners' experience: innovation centres in education",
    ),
    (
        "Norvēģijas partneru pieredze: kā inovāciju centros attīstīt bērnu daudzveidīgas prasmes",
        "The Norwegian partners' experience: using innovation centres to develop children's "
        "diverse skills",
    ),
]
SESSION_HOURS = Decimal("7.50")

SESSIONS = {
    1: [
        {
            "starts_at": riga(day, time(10, 0)),
            "ends_at": riga(day, time(16, 0)),
            "mode": "online",
            "venue": "",
            "topic_lv": topic_lv,
            "topic_en": topic_en,
            "academic_hours": SESSION_HOURS,
        }
        for day, (topic_lv, topic_en) in zip(SESSION_DAYS, SESSION_TOPICS, strict=True)
    ],
}


# --- Demonstration data (`seed_programme --demo`, `make demo`) ---------------------------------
# A clearly marked stage of made-up sessions around the day the command runs, so that a newcomer
# can register, get reminders and, later, record attendance at once. It is a stage of its own
# (``is_demo``) and never changes the programme's facts above.

DEMO_STAGE = {
    "title_lv": "DEMONSTRĀCIJA: eksperimenti dabaszinību stundās",
    "title_en": "DEMO: experiments in science lessons",
    "description_lv": (
        "Demonstrācijas dati portāla izmēģināšanai (komanda seed_programme --demo). Šis posms nav "
        "programmas daļa: tā nodarbības, lektore un dalībnieki ir izdomāti."
    ),
    "description_en": (
        "Demonstration data for trying the portal (the command seed_programme --demo). This stage "
        "is not part of the programme: its sessions, trainer and participants are made up."
    ),
    "capacity": 8,
    "is_demo": True,
}
DEMO_TRAINER = "Ilze Paraudziņa (demo)"
DEMO_ZOOM_URL = "https://zoom.example.com/j/demo-{number}"

# (days from today, start, end, mode, Latvian topic, English topic). One session has already
# taken place (attendance can be tried), one is tomorrow (the day-before reminder falls due this
# evening), two follow in the coming weeks.
DEMO_SESSIONS = [
    (-2, time(10, 0), time(13, 0), "online", "Ievadnodarbība (notikusi)", "Introduction (held)"),
    (1, time(10, 0), time(13, 0), "online", "Eksperimenti ķīmijā", "Experiments in chemistry"),
    (8, time(10, 0), time(16, 0), "onsite", "Praktiskie darbi fizikā", "Practical work in physics"),
    (15, time(14, 0), time(17, 0), "hybrid", "Pieredzes apmaiņa", "Sharing experience"),
]
DEMO_REGISTRATION_OPENS_DAYS = -14  # registration opened two weeks ago ...
DEMO_REGISTRATION_CLOSES_DAYS = 15  # ... and closes when the last session's day begins


def demo_sessions(today: date) -> list[dict]:
    """The demonstration sessions, dated relative to ``today`` (a Riga date)."""
    sessions = []
    for number, (days, start, end, mode, topic_lv, topic_en) in enumerate(DEMO_SESSIONS, 1):
        day = today + timedelta(days=days)
        sessions.append(
            {
                "starts_at": riga(day, start),
                "ends_at": riga(day, end),
                "mode": mode,
                "zoom_url": DEMO_ZOOM_URL.format(number=number) if mode != "onsite" else "",
                "venue": ORGANISER_ADDRESS if mode != "online" else "",
                "topic_lv": f"Demonstrācija: {topic_lv}",
                "topic_en": f"Demo: {topic_en}",
                "trainer": DEMO_TRAINER,
            }
        )
    return sessions


def demo_stage(today: date) -> dict:
    """The demonstration stage's values, its registration window relative to ``today``."""
    return DEMO_STAGE | {
        "registration_opens_at": riga(
            today + timedelta(days=DEMO_REGISTRATION_OPENS_DAYS), time(9, 0)
        ),
        "registration_closes_at": riga(
            today + timedelta(days=DEMO_REGISTRATION_CLOSES_DAYS), time(0, 0)
        ),
    }
