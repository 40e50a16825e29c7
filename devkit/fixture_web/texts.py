"""Article texts written for the fixture web (fictional figures, plausible news style).

The two seed articles come from ``seeds/``; everything else an outlet publishes is here, so the
fixture never downloads anything. Each text is a title and its paragraphs.
"""

from __future__ import annotations

Text = tuple[str, tuple[str, ...]]

# Hespress, second article: its only date is visible text with a Moroccan month name (غشت).
HESPRESS_HEATWAVE: Text = (
    "موجة حر تضرب عددا من أقاليم المملكة ومديرية الأرصاد تدعو إلى الحذر",
    (
        "أصدرت المديرية العامة للأرصاد الجوية نشرة إنذارية من مستوى اليقظة البرتقالي، تتوقع فيها موجة حر "
        "تتراوح خلالها درجات الحرارة القصوى ما بين 42 و47 درجة مئوية بعدد من أقاليم المملكة، وذلك ابتداء "
        "من يوم الأحد إلى غاية يوم الأربعاء المقبل.",
        "وأوضحت النشرة أن الأقاليم المعنية تشمل على الخصوص مناطق الداخل والسهول الوسطى، إضافة إلى بعض "
        "مناطق الجنوب الشرقي، مع هبوب رياح قوية نسبيا قد تكون مصحوبة بتطاير الغبار في بعض المرتفعات.",
        "ودعت السلطات الصحية المواطنين، خاصة المسنين والأطفال والمصابين بأمراض مزمنة، إلى تفادي التعرض "
        "المباشر لأشعة الشمس خلال ساعات الذروة، والإكثار من شرب الماء، وعدم ترك الأطفال داخل السيارات "
        "المركونة.",
        "من جهتها، أكدت مصالح الوقاية المدنية أنها رفعت درجة التأهب تحسبا لاندلاع حرائق الغابات، داعية "
        "مرتادي الفضاءات الغابوية إلى عدم إشعال النار واحترام التعليمات المعمول بها خلال فصل الصيف.",
    ),
)

# Listed in the Hespress feed under /private/ (robots-disallowed): must never be fetched.
HESPRESS_PRIVATE: Text = (
    "مسودة مقال غير منشور",
    ("هذه الصفحة محجوبة عن برامج الزحف، ولا ينبغي جلبها أبدا.",),
)

# QNA wire story, republished word for word by The Peninsula and Gulf Times.
QNA_WIRE: Text = (
    "Hamad Port container volumes rise 12 percent in January",
    (
        "Doha, February 2 (QNA) - Container handling at Hamad Port rose 12 percent year on year in "
        "January 2026, according to monthly figures released by the national ports operator on Monday.",
        "The port handled about 131,000 twenty-foot equivalent units (TEUs) during the month, while "
        "general cargo volumes reached nearly 98,000 tonnes and the number of vessel calls rose to 142.",
        "Imports of livestock and building materials also increased, reflecting steady demand from the "
        "local market and the continued growth of logistics activity in the free zones.",
        "The operator said the results confirmed the role of Qatar's ports as a regional hub linking the "
        "country to more than 100 destinations through direct and indirect shipping services.",
        "Hamad Port, located south of Doha, started full operations in 2017 and was designed to expand "
        "its capacity in phases as trade volumes grow.",
    ),
)

GULFTIMES_TREES: Text = (
    "Doha municipality starts winter tree-planting drive in public parks",
    (
        "The municipality of Doha has started a winter planting campaign that will add several thousand "
        "trees and shrubs to public parks and residential streets over the coming weeks, officials said "
        "on Sunday.",
        "The campaign focuses on native, drought-tolerant species such as ghaf and sidr, which need "
        "little irrigation once established and give shade during the long summer months.",
        "Residents are invited to join weekend planting sessions organised with schools and community "
        "groups, and seedlings will be handed out free of charge at municipal service centres.",
        "Officials said treated wastewater would irrigate most of the new planting, in line with plans "
        "to expand green spaces while conserving groundwater.",
    ),
)

H24_TRAMWAY: Text = (
    "Rabat : le tramway prolongé vers de nouveaux quartiers",
    (
        "Les travaux de prolongement du tramway de Rabat-Salé entrent dans leur dernière phase, avec "
        "l'installation des rails sur les nouveaux tronçons qui desserviront plusieurs quartiers "
        "périphériques de la capitale.",
        "Selon la société gestionnaire, les essais techniques débuteront au printemps, avant une mise en "
        "service progressive des nouvelles stations. Les horaires seront adaptés pour absorber la hausse "
        "attendue de la fréquentation.",
        "Les riverains ont été invités à suivre les déviations de circulation mises en place autour des "
        "chantiers, qui devraient être levées à la fin des travaux de voirie.",
    ),
)

H24_NEIGE: Text = (
    "Météo : chutes de neige attendues sur l'Atlas ce week-end",
    (
        "La Direction générale de la météorologie annonce des chutes de neige sur les reliefs de l'Atlas "
        "à partir de samedi, accompagnées d'averses orageuses et de rafales de vent dans plusieurs "
        "provinces du centre et de l'est du Royaume.",
        "Les épaisseurs attendues pourraient dépasser trente centimètres au-dessus de 1.500 mètres "
        "d'altitude. Les températures minimales devraient descendre sous zéro dans les zones de "
        "montagne.",
        "Les autorités locales recommandent aux usagers de la route de vérifier l'état des cols avant de "
        "prendre la route et de se munir d'équipements adaptés aux conditions hivernales.",
    ),
)

H24_FORUM_EAU: Text = (
    "Marrakech accueille un forum régional sur l'eau et l'agriculture",
    (
        "Un forum régional consacré à la gestion de l'eau en agriculture s'est ouvert dimanche à "
        "Marrakech, réunissant des responsables publics, des chercheurs et des représentants "
        "d'associations d'irrigants.",
        "Les participants ont insisté sur la généralisation de l'irrigation localisée, le recours aux "
        "eaux non conventionnelles et l'accompagnement des petits exploitants face à la succession "
        "d'années de faible pluviométrie.",
        "Les organisateurs prévoient de publier des recommandations à l'issue des travaux, qui se "
        "poursuivent jusqu'à mardi avec des ateliers techniques et des visites de terrain.",
    ),
)

ALJAZEERA_WINDS: Text = (
    "الأرصاد القطرية تحذر من رياح قوية وأمواج عالية خلال الأيام المقبلة",
    (
        "حذرت إدارة الأرصاد الجوية في قطر من هبوب رياح شمالية غربية قوية على المناطق البحرية والساحلية، مع "
        "ارتفاع الأمواج إلى ما بين 7 و10 أقدام، وذلك خلال الأيام المقبلة.",
        "وأوضحت الإدارة في بيان أن الرياح قد تتسبب في إثارة الغبار وتدني مدى الرؤية الأفقية في بعض المناطق، "
        "داعية مستخدمي الطرق إلى توخي الحذر، وأصحاب القوارب إلى تجنب الإبحار حتى تتحسن الأحوال الجوية.",
        "ويتوقع أن تنخفض درجات الحرارة الصغرى إلى نحو 12 درجة مئوية في الدوحة، وأقل من ذلك في المناطق "
        "الجنوبية والصحراوية، وهو أمر معتاد في هذه الفترة من فصل الشتاء.",
        "وتتأثر منطقة الخليج خلال فصل الشتاء بموجات متتالية من الرياح الشمالية الغربية، تتسبب عادة في "
        "اضطراب حركة الملاحة البحرية الصغيرة وانخفاض ملموس في درجات الحرارة.",
    ),
)

LE360_VIDEO_TITLE = "Vidéo. Web Summit Qatar 2026 : les coulisses"
LE360_VIDEO_LINE = "Regardez notre reportage."
