"""Latvia's municipalities (pašvaldības) after the 2021 administrative-territorial reform.

43 in all: the 7 state cities that are municipalities of their own (valstspilsētu pašvaldības)
and 36 novadi (Varakļānu novads was restored in 2022). Jēkabpils, Ogre and Valmiera are state
cities too, but belong to the municipality of their novads, so they are not listed separately.
The names are proper names and stay in Latvian in every language; the codes are stable ASCII.
"""

from django.utils.translation import gettext_lazy as _

STATE_CITIES = [
    ("daugavpils", "Daugavpils"),
    ("jelgava", "Jelgava"),
    ("jurmala", "Jūrmala"),
    ("liepaja", "Liepāja"),
    ("rezekne", "Rēzekne"),
    ("riga", "Rīga"),
    ("ventspils", "Ventspils"),
]

NOVADI = [
    ("aizkraukles_novads", "Aizkraukles novads"),
    ("aluksnes_novads", "Alūksnes novads"),
    ("augsdaugavas_novads", "Augšdaugavas novads"),
    ("adazu_novads", "Ādažu novads"),
    ("balvu_novads", "Balvu novads"),
    ("bauskas_novads", "Bauskas novads"),
    ("cesu_novads", "Cēsu novads"),
    ("dienvidkurzemes_novads", "Dienvidkurzemes novads"),
    ("dobeles_novads", "Dobeles novads"),
    ("gulbenes_novads", "Gulbenes novads"),
    ("jelgavas_novads", "Jelgavas novads"),
    ("jekabpils_novads", "Jēkabpils novads"),
    ("kraslavas_novads", "Krāslavas novads"),
    ("kuldigas_novads", "Kuldīgas novads"),
    ("kekavas_novads", "Ķekavas novads"),
    ("limbazu_novads", "Limbažu novads"),
    ("livanu_novads", "Līvānu novads"),
    ("ludzas_novads", "Ludzas novads"),
    ("madonas_novads", "Madonas novads"),
    ("marupes_novads", "Mārupes novads"),
    ("ogres_novads", "Ogres novads"),
    ("olaines_novads", "Olaines novads"),
    ("preilu_novads", "Preiļu novads"),
    ("rezeknes_novads", "Rēzeknes novads"),
    ("ropazu_novads", "Ropažu novads"),
    ("salaspils_novads", "Salaspils novads"),
    ("saldus_novads", "Saldus novads"),
    ("saulkrastu_novads", "Saulkrastu novads"),
    ("siguldas_novads", "Siguldas novads"),
    ("smiltenes_novads", "Smiltenes novads"),
    ("talsu_novads", "Talsu novads"),
    ("tukuma_novads", "Tukuma novads"),
    ("valkas_novads", "Valkas novads"),
    ("valmieras_novads", "Valmieras novads"),
    ("varaklanu_novads", "Varakļānu novads"),
    ("ventspils_novads", "Ventspils novads"),
]

OTHER = "other"

MUNICIPALITY_CHOICES = [
    (_("State cities"), STATE_CITIES),
    (_("Municipalities (novadi)"), NOVADI),
    (OTHER, _("other / abroad")),
]

MUNICIPALITY_NAMES = {code: name for code, name in STATE_CITIES + NOVADI}
