"""The article texts of the evaluation set, by language.

Real published text: the two seed articles (French and Arabic, ``infra/fixture_web/seeds``).
Texts written for this project (fictional events, news style): the fixture web's texts and the
three ``WRITTEN_*`` below. README.md in this folder says which is which; none is passed off as real.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.fixture_web import texts as fixture_texts
from infra.fixture_web.seeds import load_seeds


@dataclass(frozen=True)
class EvalText:
    key: str
    language: str
    title: str
    paragraphs: tuple[str, ...]
    origin: str  # "seed (published)" or "written for this project"


WRITTEN_FR_PORT = (
    "Tanger Med : hausse du trafic de conteneurs au premier trimestre",
    (
        "Le complexe portuaire de Tanger Med a enregistré une hausse de son trafic de conteneurs au "
        "premier trimestre, portée par la reprise des lignes reliant l'Asie à l'Europe, selon un bilan "
        "publié lundi par l'autorité portuaire.",
        "Les terminaux ont traité près de deux millions de conteneurs équivalent vingt pieds, un volume "
        "en progression par rapport à la même période de l'année précédente, tandis que le trafic des "
        "camions TIR a lui aussi augmenté.",
        "L'autorité portuaire explique cette évolution par l'arrivée de nouveaux services maritimes et "
        "par l'extension des zones logistiques situées à proximité du port, qui attirent des "
        "industriels de l'automobile et du textile.",
        "Les responsables du port prévoient de poursuivre les investissements dans la numérisation des "
        "procédures douanières afin de réduire le temps de passage des marchandises.",
    ),
)

WRITTEN_FR_RAIN = (
    "Retour des pluies : les barrages du nord affichent un meilleur taux de remplissage",
    (
        "Les fortes précipitations enregistrées ces dernières semaines ont permis d'améliorer le taux "
        "de remplissage des barrages situés dans le nord du Royaume, indique un point de situation du "
        "ministère de l'Équipement et de l'Eau.",
        "Plusieurs ouvrages du bassin du Loukkos ont dépassé la moitié de leur capacité, alors qu'ils "
        "étaient à des niveaux préoccupants à la fin de l'été, après plusieurs années de sécheresse.",
        "Les services du ministère rappellent toutefois que la situation reste contrastée selon les "
        "régions et appellent à poursuivre les efforts d'économie d'eau, notamment dans l'irrigation.",
    ),
)

WRITTEN_EN_METRO = (
    "Doha Metro extends evening service during the winter festival season",
    (
        "Doha Metro will run trains until later in the evening on weekends throughout the winter "
        "festival season, the operator said on Tuesday, to carry visitors to events along the "
        "Corniche and in Lusail.",
        "Additional trains will be added on the Red Line at peak times, and feeder bus routes serving "
        "the main stations will follow the extended timetable.",
        "The operator advised passengers to plan their return journeys in advance and to use the "
        "journey planner in its mobile application, which shows live crowding information.",
    ),
)


def all_texts() -> list[EvalText]:
    seeds = load_seeds()
    out = [
        EvalText(f"seed_{s.language}", s.language, s.title, tuple(s.paragraphs), "seed (published)")
        for s in seeds.values()
    ]
    fixture = {
        "fixture_hespress_heatwave": ("ar", fixture_texts.HESPRESS_HEATWAVE),
        "fixture_aljazeera_winds": ("ar", fixture_texts.ALJAZEERA_WINDS),
        "fixture_qna_wire": ("en", fixture_texts.QNA_WIRE),
        "fixture_gulftimes_trees": ("en", fixture_texts.GULFTIMES_TREES),
        "written_fr_port": ("fr", WRITTEN_FR_PORT),
        "written_fr_rain": ("fr", WRITTEN_FR_RAIN),
        "written_en_metro": ("en", WRITTEN_EN_METRO),
    }
    for key, (lang, (title, paragraphs)) in fixture.items():
        out.append(EvalText(key, lang, title, tuple(paragraphs), "written for this project"))
    return sorted(out, key=lambda t: (t.language, t.key))
