"""Boilerplate families in Arabic, French and English, several wordings each.

Written for the evaluation set: the wordings differ from the seed debris on purpose, so the set
measures the cleanup's patterns rather than a memorised list. A page takes one wording per family,
rotated by page number.
"""

from __future__ import annotations

FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "comment_prompt": {
        "ar": ("أضف تعليقك", "اكتب تعليقا", "اترك ردا"),
        "fr": ("Ajouter un commentaire", "Laissez votre commentaire", "Écrire un commentaire"),
        "en": ("Leave a Reply", "Add a comment", "Post a comment"),
    },
    "email_notice": {
        "ar": ("لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",),
        "fr": (
            "Votre adresse de messagerie ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
            "Votre adresse e-mail ne sera pas publiée.",
        ),
        "en": (
            "Your email address will not be published. Required fields are marked *",
            "Your email address will not be published.",
        ),
    },
    "share": {
        "ar": ("شارك هذا المقال على", "شارك الخبر عبر", "مشاركة"),
        "fr": ("Partagez cet article", "Partager sur", "Partager"),
        "en": ("Share this article", "Share this story", "Share on"),
    },
    "follow": {
        "ar": ("تابعونا على تويتر وفيسبوك", "تابعونا عبر تلغرام"),
        "fr": ("Suivez-nous sur Facebook et Instagram", "Retrouvez-nous sur X"),
        "en": ("Follow us on Twitter and Instagram", "Follow The Daily on Facebook"),
    },
    "cookie": {
        "ar": (
            "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا.",
            "يستعمل موقعنا ملفات الكوكيز لأغراض إحصائية.",
        ),
        "fr": (
            "Nous utilisons des cookies pour améliorer votre expérience de navigation.",
            "En poursuivant votre navigation, vous acceptez l'utilisation de cookies.",
        ),
        "en": (
            "We use cookies to give you the best experience on our website.",
            "This website uses cookies to improve your experience.",
        ),
    },
    "cookie_button": {
        "ar": ("موافق", "قبول"),
        "fr": ("Tout accepter", "J'accepte"),
        "en": ("Accept all", "Accept"),
    },
    "newsletter": {
        "ar": ("اشترك في النشرة البريدية لتصلك آخر الأخبار", "اشتركوا في نشرتنا الإخبارية"),
        "fr": ("Abonnez-vous à notre newsletter", "Inscrivez-vous à la newsletter quotidienne"),
        "en": ("Sign up for our newsletter", "Subscribe to our daily newsletter"),
    },
    "photo_credit": {
        "ar": ("(صورة: أرشيف)", "تصوير: وكالة الأنباء"),
        "fr": ("Photo : MAP", "Crédit photo : DR"),
        "en": ("Photo: QNA", "(Image: Reuters)"),
    },
    "read_also_label": {
        "ar": ("اقرأ أيضا", "إقرأ أيضاً"),
        "fr": ("Lire aussi", "À lire aussi"),
        "en": ("Read also", "Related articles"),
    },
}

# Headlines of other articles that "read also" blocks link to.
RELATED_TITLES: dict[str, tuple[str, ...]] = {
    "ar": ("افتتاح معرض الكتاب في دورته الجديدة بمشاركة واسعة", "ارتفاع أسعار الخضر في الأسواق المحلية"),
    "fr": ("Le salon du livre ouvre ses portes avec une large participation", "Hausse des prix des légumes"),
    "en": ("Book fair opens with record number of exhibitors", "Vegetable prices rise in local markets"),
}


def pick(family: str, lang: str, n: int) -> str:
    options = FAMILIES[family][lang]
    return options[n % len(options)]
