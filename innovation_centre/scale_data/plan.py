"""What the scale data holds, worked out in memory from the options (deterministic per seed).

One programme of many stages (20-40 seats, 8 weekly sessions at Riga times), participants with
Latvian-looking names who each take several stages, registrations in every status, attendance
for every confirmed participant and session that has ended, certificates for those who reached
the threshold, the default reminder rules, a budget with funding sources, headings and
expenditure, and the funder's indicators with entered values.

Everything here is plain Python (rows as tuples); ``innovation_centre.scale_data.write`` puts it
into PostgreSQL with COPY. The rules the portal itself keeps are kept here too (see the
comments): seats are taken in the order e-mails were confirmed and stamp ``confirmed_at``, the
waiting list is the rest in that order, registrations awaiting confirmation are younger than
72 hours (older ones would have been purged), attendance exists only for sessions that ended
before ``now``, certificates go to confirmed participants whose attended academic hours reach
the stage's threshold and are numbered in the order they were issued.
"""

import base64
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from innovation_centre.scale_data import names

RIGA = ZoneInfo("Europe/Riga")
VERSION = 1  # raise when the data made for the same arguments changes (--reuse then remakes it)

PROJECT_NUMBER = "SCALE-DATA"
PARTICIPANTS_PER_STAGE = 5.5  # stages = participants / 5.5: about 5 registrations per person
PAST_WEEKS = 156  # the held stages started over the last three years ...
UPCOMING_WEEKS = 26  # ... and the upcoming ones start over the next half year
SESSIONS_PER_STAGE = 8
MINUTES_PER_ACADEMIC_HOUR = 45
THRESHOLD_PERCENT = 75
CONSENT_VERSION = "2026-11-v1"  # participants.services.CONSENT_VERSION (checked in write.py)

# (weekday or None for Monday-Friday, start, end, academic hours): hours fit the duration
# (45-minute academic hours: 360 min >= 7.5 x 45; 195 min >= 4 x 45; 180 min = 4 x 45).
SLOTS = [
    (5, time(10, 0), time(16, 0), 750),
    (None, time(9, 0), time(12, 15), 400),
    (None, time(14, 0), time(17, 15), 400),
    (None, time(15, 30), time(18, 45), 400),
    (None, time(16, 0), time(19, 0), 400),
]
SLOT_WEIGHTS = [3, 2, 2, 2, 2]

ROLES = [("teacher", 75), ("career_counsellor", 8), ("methodologist", 10), ("other", 7)]
SUBJECTS = [
    "natural_sciences", "chemistry", "physics", "biology", "mathematics", "economics",
    "computer_science", "engineering_technology", "entrepreneurship", "other",
]  # fmt: skip
SUBJECT_WEIGHTS = [12, 10, 10, 10, 16, 6, 10, 6, 6, 4]
SEXES = [("female", 72), ("male", 22), ("not_said", 3), ("", 3)]


def hundredths(value: int) -> str:
    """12345 -> "123.45" (hours and money are counted in hundredths)."""
    return f"{value // 100}.{value % 100:02d}"


def riga(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=RIGA)


EPOCH = date(1970, 1, 1)
_DAYS: dict[int, str] = {}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def ts(seconds: int | None) -> str | None:
    """A moment (seconds since the epoch) as COPY reads it: UTC text, made without datetime
    objects (this runs a few million times)."""
    if seconds is None:
        return None
    day, rest = divmod(seconds, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = (EPOCH + timedelta(days=day)).isoformat()
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{text} {hours:02d}:{minutes:02d}:{secs:02d}+00"


def local_day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, RIGA).date()


def pick(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@cache
def _required(planned: int) -> int:
    exact = Decimal(planned) * THRESHOLD_PERCENT / 100
    return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class StagePlan:
    pk: int
    order: int
    upcoming: bool
    capacity: int
    theme: int
    slot: tuple
    mode: str
    first_day: date
    starts: list = field(default_factory=list)  # the 8 sessions' moments (epoch seconds)
    ends: list = field(default_factory=list)
    session_ids: list = field(default_factory=list)
    opens_at: int = 0
    closes_at: int = 0
    counts: dict = field(default_factory=dict)  # status -> how many registrations

    @property
    def hours(self) -> int:
        return self.slot[3]

    @property
    def planned(self) -> int:
        return self.hours * SESSIONS_PER_STAGE

    @property
    def required(self) -> int:
        """Hours (hundredths) a certificate needs: planned x threshold, rounded half up."""
        return _required(self.planned)


@dataclass
class Options:
    participants: int
    seed: int
    now: datetime
    upcoming_share: float


class Plan:
    """The whole data set; tables come out as lists (or generators) of tuples."""

    def __init__(self, options: Options):
        self.options = options
        self.rng = random.Random(options.seed)
        self.now = epoch(options.now)
        self.today = options.now.astimezone(RIGA).date()
        self.monday = self.today - timedelta(days=self.today.weekday())
        self.programme_id = 1
        self.stages: list[StagePlan] = []
        self.participants: list[tuple] = []
        self.names: list[str] = []  # participant index -> "First Last"
        self.registrations: list[tuple] = []
        # confirmed registrations of stages with sessions held: (reg id, participant id, stage)
        self.confirmed: list[tuple] = []
        self.hours: dict[int, int] = {}  # registration id -> attended hours (hundredths)
        self.trained: set[int] = set()  # participant ids present at least once (confirmed)
        self.attendance_rows = 0
        self._plan_stages()
        self._plan_participants()
        self._plan_registrations()

    # --- stages and sessions ------------------------------------------------------------------
    def _plan_stages(self):
        rng = self.rng
        total = max(1, math.ceil(self.options.participants / PARTICIPANTS_PER_STAGE))
        upcoming = round(total * self.options.upcoming_share)
        past = total - upcoming
        weeks_past, weeks_up = PAST_WEEKS, UPCOMING_WEEKS
        offsets = [-weeks_past + (i * weeks_past) // past for i in range(past)]
        offsets += [1 + (j * weeks_up) // upcoming for j in range(upcoming)]
        session_id = 0
        for index, week in enumerate(offsets):
            slot = rng.choices(SLOTS, SLOT_WEIGHTS)[0]
            weekday = slot[0] if slot[0] is not None else rng.randrange(5)
            first_day = self.monday + timedelta(weeks=week, days=weekday)
            stage = StagePlan(
                pk=index + 1,
                order=index + 1,
                upcoming=week > 0,
                capacity=rng.randint(20, 40),
                theme=rng.randrange(len(names.THEMES)),
                slot=slot,
                mode=pick(rng, [("online", 60), ("onsite", 25), ("hybrid", 15)]),
                first_day=first_day,
            )
            for k in range(SESSIONS_PER_STAGE):
                day = first_day + timedelta(weeks=k)
                stage.starts.append(epoch(riga(day, slot[1])))
                stage.ends.append(epoch(riga(day, slot[2])))
                session_id += 1
                stage.session_ids.append(session_id)
            # Registration opens six weeks before and closes when the first session's day
            # begins; an upcoming stage's registration is open now.
            stage.opens_at = epoch(riga(first_day - timedelta(days=42), time(9, 0)))
            stage.closes_at = epoch(riga(first_day, time(0, 0)))
            if stage.upcoming:
                days_ago = rng.randint(3, 30)
                stage.opens_at = min(stage.opens_at, self.now - days_ago * 86400 - 3 * 3600)
            self.stages.append(stage)

    def stage_rows(self):
        for stage in self.stages:
            theme = names.THEMES[stage.theme][0]
            yield (
                stage.pk,
                self.programme_id,
                stage.order,
                f"{theme[0]} ({stage.order}. grupa)",
                f"{theme[1]} (group {stage.order})",
                f"Apmācības: {theme[0].lower()}. {SESSIONS_PER_STAGE} nodarbības, "
                f"{hundredths(stage.planned)} akadēmiskās stundas.",
                f"Training: {theme[1].lower()}. {SESSIONS_PER_STAGE} sessions, "
                f"{hundredths(stage.planned)} academic hours.",
                hundredths(stage.planned),
                stage.capacity,
                ts(stage.opens_at),
                ts(stage.closes_at),
                THRESHOLD_PERCENT,
                "f",
            )

    def session_rows(self):
        rng = self.rng
        for stage in self.stages:
            topics = names.THEMES[stage.theme][1]
            trainer = rng.choice(names.TRAINERS)
            venue = rng.choice(names.VENUES)
            for k, session_id in enumerate(stage.session_ids):
                mode = stage.mode
                zoom = (
                    "" if mode == "onsite" else f"https://zoom.example.com/j/{900000 + session_id}"
                )
                yield (
                    session_id,
                    stage.pk,
                    ts(stage.starts[k]),
                    ts(stage.ends[k]),
                    mode,
                    zoom,
                    "" if mode == "online" else venue,
                    topics[k][0],
                    topics[k][1],
                    trainer,
                    hundredths(stage.hours),
                    MINUTES_PER_ACADEMIC_HOUR,
                )

    @property
    def session_count(self):
        return len(self.stages) * SESSIONS_PER_STAGE

    # --- participants -------------------------------------------------------------------------
    def _plan_participants(self):
        rng = self.rng
        municipalities = self._municipalities()
        codes, weights = zip(*municipalities, strict=True)
        for index in range(self.options.participants):
            pk = index + 1
            sex = pick(rng, SEXES)
            female = sex == "female" or (sex in ("", "not_said") and rng.random() < 0.7)
            first = rng.choice(names.FEMALE_FIRST if female else names.MALE_FIRST)
            last = rng.choice(names.SURNAMES)[1 if female else 0]
            local = f"{first}.{last}".lower().translate(names.ASCII)
            email = f"{local}.{pk}@{names.EMAIL_DOMAIN}"
            role = pick(rng, ROLES)
            subjects = []
            if role == "teacher":
                subjects = sorted(
                    set(rng.choices(SUBJECTS, SUBJECT_WEIGHTS, k=rng.choice((1, 1, 2, 3)))),
                    key=SUBJECTS.index,
                )
            municipality = rng.choices(codes, weights)[0]
            phone = f"+371 2{rng.randrange(10**7):07d}" if rng.random() < 0.6 else ""
            language = "en" if rng.random() < 0.04 else "lv"
            self.participants.append(
                [
                    pk,
                    email,
                    first,
                    last,
                    role,
                    "[" + ", ".join(f'"{s}"' for s in subjects) + "]",
                    self._institution(municipality),
                    municipality,
                    sex,
                    phone,
                    language,
                    None,  # created_at: the first registration's moment (set later)
                    None,
                    1,  # link_version
                    None,  # erased_at
                ]
            )
            self.names.append(f"{first} {last}")

    def _municipalities(self):
        from participants.municipalities import NOVADI, OTHER, STATE_CITIES

        weighted = [(code, 6) for code, _name in STATE_CITIES]
        weighted = [(c, 30 if c == "daugavpils" else 40 if c == "riga" else w) for c, w in weighted]
        weighted += [(code, 3) for code, _name in NOVADI]
        weighted.append((OTHER, 1))
        self._municipality_names = dict(STATE_CITIES + NOVADI)
        return weighted

    def _institution(self, municipality):
        rng = self.rng
        if municipality == "other":
            return "Privātā skola “Zinātkāre”"
        if municipality in names.CITY_GENITIVE:
            place = names.CITY_GENITIVE[municipality]
        else:
            place = self._municipality_names[municipality].replace(" novads", " novada")
        kinds, weights = zip(*names.SCHOOL_KINDS, strict=True)
        kind = rng.choices(kinds, weights)[0].format(n=rng.randint(1, 15))
        return f"{place} {kind}"

    def participant_rows(self):
        for row in self.participants:
            yield (*row[:11], ts(row[11]), ts(row[12]), *row[13:])

    # --- registrations ------------------------------------------------------------------------
    def _stage_counts(self, stage):
        """How many registrations of each status the stage has."""
        rng = self.rng
        cap = stage.capacity
        if stage.upcoming:
            confirmed = rng.randint(math.ceil(cap * 0.3), cap)
            waiting = rng.randint(0, 5) if confirmed == cap else 0
            cancelled = rng.randint(0, 3)
            awaiting = rng.randint(0, 3)
        else:
            full = rng.random() < 0.85
            confirmed = cap if full else rng.randint(math.ceil(cap * 0.6), cap - 1)
            waiting = rng.randint(0, 6) if full else 0
            cancelled = rng.randint(0, 4)
            awaiting = 0  # older than 72 hours: the portal would have purged them
        counts = {
            "confirmed": confirmed,
            "waiting_list": waiting,
            "awaiting_confirmation": awaiting,
            "cancelled": cancelled,
        }
        # A small data set cannot fill a stage with more people than there are.
        people = self.options.participants
        for status in ("cancelled", "awaiting_confirmation", "waiting_list", "confirmed"):
            over = sum(counts.values()) - people
            if over > 0:
                counts[status] -= min(over, counts[status])
        return counts

    def _deal(self, total_slots):
        """A shuffled list of participant ids: each at least once (when there are enough
        slots), the rest weighted so that some people take many stages."""
        rng = self.rng
        people = self.options.participants
        ids = list(range(1, people + 1))
        weights = rng.choices((1, 2, 4, 8), (50, 30, 15, 5), k=people)
        base = ids[: min(people, total_slots)]
        extra = rng.choices(ids, weights, k=max(0, total_slots - len(base)))
        pool = base + extra
        rng.shuffle(pool)
        return pool

    def _plan_registrations(self):
        rng = self.rng
        for stage in self.stages:
            stage.counts = self._stage_counts(stage)
        pool = self._deal(sum(sum(s.counts.values()) for s in self.stages))
        position = 0
        reg_id = 0
        first_seen = {}
        for stage in self.stages:
            size = sum(stage.counts.values())
            chosen = []
            taken = set()
            for _ in range(size):
                j = position
                while j < len(pool) and pool[j] in taken:
                    j += 1
                if j < len(pool):
                    pool[position], pool[j] = pool[j], pool[position]
                    person = pool[position]
                else:  # the pool's tail is all in this stage already: anyone else
                    person = rng.choice(
                        [p for p in range(1, self.options.participants + 1) if p not in taken]
                    )
                position += 1
                taken.add(person)
                chosen.append(person)
            rows = self._stage_registrations(stage, chosen, reg_id)
            reg_id += len(rows)
            for row in rows:
                person, created = row[1], row[4]
                if person not in first_seen or created < first_seen[person]:
                    first_seen[person] = created
            self.registrations.extend(rows)
        for row in self.participants:
            created = first_seen.get(row[0], self.now - 86400)
            row[11] = row[12] = created

    def _stage_registrations(self, stage, people, first_id):
        """The stage's registrations as row lists (timestamps as datetimes for now)."""
        rng = self.rng
        counts = stage.counts
        window_end = min(stage.closes_at, self.now)
        span = max(60, window_end - stage.opens_at - 7200)
        opens = stage.opens_at

        def moment():
            return opens + int(rng.random() * span)

        live = counts["confirmed"] + counts["waiting_list"]
        # The people who confirmed their e-mail, in the order they did: the first take the seats.
        confirmations = sorted(
            (created + rng.randint(60, 3600), created)
            for created in (moment() for _ in range(live))
        )
        rows = []
        index = 0
        for number, (confirmed_email, created) in enumerate(confirmations):
            seated = number < counts["confirmed"]
            rows.append(
                [
                    people[index],
                    "confirmed" if seated else "waiting_list",
                    created,
                    confirmed_email,
                    confirmed_email if seated else None,
                    None if seated else confirmed_email,
                    None,
                    False,
                    "",
                ]
            )
            index += 1
        for _ in range(counts["awaiting_confirmation"]):
            created = max(self.now - rng.randint(600, 70 * 3600), stage.opens_at + 60)
            rows.append(
                [people[index], "awaiting_confirmation", created, None, None, None, None, False, ""]
            )
            index += 1
        for _ in range(counts["cancelled"]):
            created = moment()
            confirmed_email = created + rng.randint(60, 3600)
            had_seat = rng.random() < 0.6
            later = max(60, window_end - confirmed_email)
            cancelled = min(confirmed_email + rng.randint(60, later), self.now)
            by_staff = rng.random() < 0.1
            reason = rng.choice(names.STAFF_CANCEL_REASONS if by_staff else names.CANCEL_REASONS)
            rows.append(
                [
                    people[index],
                    "cancelled",
                    created,
                    confirmed_email,
                    confirmed_email if had_seat else None,
                    None if had_seat else confirmed_email,
                    cancelled,
                    by_staff,
                    reason,
                ]
            )
            index += 1
        result = []
        for offset, row in enumerate(rows):
            pk = first_id + offset + 1
            person, status, created = row[0], row[1], row[2]
            if status == "confirmed" and stage.starts[0] <= self.now:
                self.confirmed.append((pk, person, stage))
            result.append((pk, person, stage.pk, status, created, *row[3:], created))
        return result

    def registration_rows(self):
        for (
            pk,
            person,
            stage_id,
            status,
            created,
            email_at,
            seat_at,
            waiting,
            cancelled,
            by_staff,
            reason,
            consent,
        ) in self.registrations:  # noqa: E501
            yield (
                pk,
                person,
                stage_id,
                status,
                ts(created),
                ts(email_at),
                ts(seat_at),
                ts(waiting),
                ts(cancelled),
                "t" if by_staff else "f",
                reason,
                CONSENT_VERSION,
                ts(consent),
            )

    # --- attendance ---------------------------------------------------------------------------
    def attendance_lines(self):
        """COPY lines of attendance, one per confirmed participant and ended session; fills
        ``hours`` and ``trained`` as it goes (so the certificates follow from it)."""
        rng = self.random_attendance = random.Random(self.options.seed * 7919 + 1)
        rand = rng.random
        now = self.now
        pk = 0
        by_stage = {}
        for reg_id, person, stage in self.confirmed:
            by_stage.setdefault(stage.pk, (stage, []))[1].append((reg_id, person))
        for stage, people in by_stage.values():
            held = []
            for k, session_id in enumerate(stage.session_ids):
                end = stage.ends[k]
                if end > now:
                    break
                minutes = (end - stage.starts[k]) // 60
                zoom = stage.mode != "onsite" and rand() < 0.5
                # Staff save a session's register at once (or import its Zoom report).
                recorded = ts(min(end + 600 + int(rand() * 200000), now))
                held.append((session_id, minutes, "zoom" if zoom else "staff", recorded))
            if not held:
                continue
            stage_hours = stage.hours
            for reg_id, person in people:
                # Most come nearly always; some drop out along the way.
                keen = rand()
                chance = 0.93 if keen < 0.8 else 0.7 if keen < 0.95 else 0.3
                hours = 0
                for session_id, minutes, source, recorded in held:
                    draw = rand()
                    if draw < chance:
                        status = "present"
                        present = minutes - int(rand() * minutes * 0.2)
                        hours += stage_hours
                    elif draw < chance + (1 - chance) * 0.25:
                        status, present = "excused", 0
                    else:
                        status = "absent"
                        present = int(rand() * minutes * 0.6) if rand() < 0.3 else 0
                    pk += 1
                    yield (
                        f"{pk}\t{person}\t{session_id}\t{status}\t{present}\t{source}\t\\N\t"
                        f"{recorded}\n"
                    )
                self.hours[reg_id] = hours
                if hours:
                    self.trained.add(person)
        self.attendance_rows = pk

    def attendance_estimate(self) -> int:
        """Rows the attendance will have (for the progress bar)."""
        total = 0
        for _reg, _person, stage in self.confirmed:
            total += sum(1 for end in stage.ends if end <= self.now)
        return total

    # --- certificates -------------------------------------------------------------------------
    def certificate_rows(self, pattern):
        """Certificates of stages that ended at least a week ago, for every confirmed
        participant who reached the threshold; numbered in the order of issue."""
        rng = random.Random(self.options.seed * 7919 + 2)
        issued = []
        for reg_id, person, stage in self.confirmed:
            if stage.ends[-1] > self.now - 7 * 86400:
                continue
            hours = self.hours.get(reg_id, 0)
            if hours < stage.required:
                continue
            days = rng.randint(2, 6)
            moment = min(stage.ends[-1] + days * 86400 + rng.randint(0, 8 * 3600), self.now)
            issued.append((moment, stage.order, person, reg_id, stage, hours))
        issued.sort(key=lambda row: (row[0], row[1], row[2]))
        day_texts = {}

        def stage_days(stage):
            if stage.pk not in day_texts:
                day_texts[stage.pk] = (
                    local_day(stage.starts[0]).isoformat(),
                    local_day(stage.starts[-1]).isoformat(),
                )
            return day_texts[stage.pk]

        self.certificate_registrations = []
        for sequence, (moment, _order, person, reg_id, stage, hours) in enumerate(issued, 1):
            revoked = None
            reason = ""
            if rng.random() < 0.003:
                revoked = min(moment + rng.randint(1, 30) * 86400, self.now)
                reason = rng.choice(names.REVOCATION_REASONS)
            code = base64.b32encode(rng.randbytes(10)).decode("ascii")
            number = pattern.format(year=local_day(moment).year, stage=stage.order, seq=sequence)
            self.certificate_registrations.append((sequence, reg_id, moment))
            yield (
                sequence,
                person,
                stage.pk,
                self.programme_id,
                sequence,
                number,
                code,
                self.names[person - 1],
                hundredths(hours),
                hundredths(stage.planned),
                *stage_days(stage),
                ts(moment),
                None,
                ts(revoked),
                None,
                reason,
            )

    # --- outbox -------------------------------------------------------------------------------
    def mail_rows(self):
        """One sent mail per registration (the one its current status causes) and one per
        certificate: the outbox as it looks once everything went out."""
        pk = 0
        for row in self.registrations:
            reg_id, status, created, seat_at, waiting, cancelled = (
                row[0],
                row[3],
                row[4],
                row[6],
                row[7],
                row[8],
            )
            moment = {
                "confirmed": seat_at,
                "waiting_list": waiting,
                "cancelled": cancelled,
                "awaiting_confirmation": created,
            }[status] or created
            pk += 1
            yield (
                pk, reg_id, status, "{}", "sent", ts(moment), "", None,
                ts(moment + 5), 1, None, "",
            )  # fmt: skip
        for certificate_id, reg_id, moment in self.certificate_registrations:
            pk += 1
            yield (
                pk, reg_id, "certificate", f'{{"certificate": {certificate_id}}}', "sent",
                ts(moment), "", None, ts(moment + 30), 1, None, "",
            )  # fmt: skip

    # --- budget -------------------------------------------------------------------------------
    def expenditure_plan(self):
        """(heading code, date, amount in cents, supplier, document number, eligible, note):
        trainers' fees per held stage, monthly staff and office costs, equipment, travel."""
        rng = random.Random(self.options.seed * 7919 + 3)
        items = []
        first = self.stages[0].first_day.replace(day=1)
        held = [stage for stage in self.stages if stage.ends[-1] <= self.now]
        for stage in held:
            day = local_day(stage.ends[-1]) + timedelta(days=rng.randint(3, 20))
            if day <= self.today:
                fee = stage.planned * 45 + rng.randint(0, 5000)  # 45 EUR an hour, in cents
                items.append(("2", day, fee, "IK “Lektors”", f"Lekcijas posmā {stage.order}"))
            if stage.mode != "online":
                items.append(("4", day, rng.randint(300, 900) * 100, "Daugavpils Universitāte", ""))
        month = first
        scale = max(1, len(self.stages) // 50)
        while month <= self.today:
            day = month + timedelta(days=rng.randint(4, 25))
            if day <= self.today:
                items.append(("1", day, scale * rng.randint(3000, 3600) * 100, "Darba alga", ""))
                items.append(
                    ("7", day, scale * rng.randint(300, 500) * 100, names.SUPPLIERS[3], "")
                )
                for _ in range(rng.randint(1, 4)):
                    items.append(("5", day, rng.randint(80, 600) * 100, names.SUPPLIERS[6], ""))
                if rng.random() < 0.4:
                    items.append(
                        ("3", day, scale * rng.randint(1500, 9000) * 100, names.SUPPLIERS[5], "")
                    )  # noqa: E501
                if month.month % 3 == 0:
                    items.append(
                        ("6", day, scale * rng.randint(400, 1500) * 100, names.SUPPLIERS[7], "")
                    )  # noqa: E501
            month = (month + timedelta(days=32)).replace(day=1)
        items.sort(key=lambda item: item[1])
        result = []
        for number, (code, day, cents, supplier, note) in enumerate(items, 1):
            eligible = rng.random() > 0.02
            result.append(
                (code, day, cents, supplier, f"R-{day.year}/{number:06d}", eligible, note)
            )
        return result

    @property
    def end_date(self) -> date:
        last = local_day(max(stage.ends[-1] for stage in self.stages))
        return date(last.year, 12, 31)

    @property
    def first_day(self) -> date:
        return local_day(self.stages[0].opens_at)
