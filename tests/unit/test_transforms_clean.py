"""clean_body on the seed texts and on debris families written the way other themes write them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transforms.clean import MAX_DEBRIS_LINE, clean_body, is_debris

SEEDS = Path(os.environ.get("NASHRA_SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_french_seed_loses_title_repeat_and_comment_debris() -> None:
    text = seed_text("000")
    title = text.splitlines()[0]
    body = clean_body(text, title) or ""
    assert body.startswith("Dimanche à Doha, Amal El Fallah Seghrouchni")
    assert body.endswith("sur le futur de l’économie digitale.")
    assert title not in body
    assert "Laisser un commentaire" not in body and "email address" not in body
    assert "\n\n\n" not in body


def test_arabic_seed_loses_share_comment_and_cookie_lines() -> None:
    text = seed_text("002")
    title = text.splitlines()[0]
    body = clean_body(text, title) or ""
    assert body.startswith("في سياق مشاركته في فعاليات Web Summit قطر 2026")
    assert body.endswith("وترسيخ الشراكات التكنولوجية كرافعة للتنمية وتحديث الإدارة.")
    for junk in ("يمكنكم مشاركة المقال", "اترك تعليقا", "ملفات تعريف الارتباط", "\u00a0"):
        assert junk not in body
    assert body.count("\n\n") == 2  # three paragraphs; the NBSP-only lines are gone


@pytest.mark.parametrize(
    "line",
    [
        # comment prompts and forms
        "Leave a Reply",
        "Leave a comment",
        "Laissez un commentaire",
        "أضف تعليقاً",
        "اترك رداً",
        "3 commentaires",
        "Votre adresse de messagerie ne sera pas publiée.",
        "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        "Save my name, email, and website in this browser for the next time I comment.",
        # share / follow
        "Partager :",
        "Share this:",
        "شارك",
        "شارك المقال على",
        "Facebook Twitter WhatsApp Telegram",
        "Suivez-nous sur Facebook et Instagram",
        "تابعونا على تويتر",
        "يمكنكم مشاركة الخبر عبر حساباتكم",
        # cookie banners
        "Ce site utilise des cookies pour améliorer votre expérience. Accepter",
        "This website uses cookies to improve your experience. We'll assume you're ok with this.",
        "يستخدم موقعنا ملفات الكوكيز لتحسين تجربتك",
        "Accept",
        "قبول",
        "En savoir plus",
        # read-also and newsletters
        "Lire aussi : Le Qatar annonce un nouveau fonds pour l’IA",
        "A lire également: Web Summit Qatar",
        "اقرأ أيضاً: قطر تطلق صندوقا جديدا",
        "Read also: Morocco and Qatar sign MoU",
        "Inscrivez-vous à notre newsletter",
        "Subscribe to our newsletter",
        "اشترك في النشرة البريدية",
        # decoration only
        "\u00a0",
        "• • •",
    ],
)
def test_debris_families(line: str) -> None:
    assert is_debris(line)


@pytest.mark.parametrize(
    "line",
    [
        "Ils ont également passé en revue les principaux programmes nationaux liés à ce sujet.",
        "وشكل اللقاء فرصة لتبادل وجهات النظر حول مسار الرقمنة في البلدين.",
        "Le ministre a invité les citoyens à partager leurs idées sur la plateforme nationale.",
        "La ministre a souligné le dynamisme intense que connaît le pays.",
    ],
)
def test_article_sentences_are_kept(line: str) -> None:
    assert not is_debris(line)


def test_long_paragraph_mentioning_cookies_survives() -> None:
    paragraph = (
        "La Commission nationale de contrôle de la protection des données a rappelé que tout site "
        "qui utilise des cookies doit recueillir le consentement des visiteurs, et que ce site "
        "utilise des cookies n'est pas une formule suffisante selon le texte adopté par le Parlement "
        "la semaine dernière à Rabat."
    )
    assert len(paragraph) > MAX_DEBRIS_LINE
    assert clean_body(paragraph) == paragraph


def test_title_repeated_twice_and_back_to_back_duplicates() -> None:
    text = "Titre de l’article\n Titre de l’article \nPremier paragraphe.\nPremier paragraphe.\nSecond."
    assert clean_body(text, "Titre de l’article") == "Premier paragraphe.\n\nSecond."


def test_title_mentioned_later_is_kept() -> None:
    text = "Intro.\nTitre\nSuite."
    assert clean_body(text, "Titre") == "Intro.\n\nTitre\n\nSuite."


def test_nothing_left_is_none() -> None:
    assert clean_body("Partager\nLaisser un commentaire\n\u00a0\n") is None
    assert clean_body(None) is None


def test_standalone_photo_credits_go_but_sentences_about_photos_stay() -> None:
    from transforms.clean import is_debris

    for credit in (
        "Photo : MAP",
        "(صورة: أرشيف)",
        "تصوير: وكالة الأنباء",
        "(Image: Reuters)",
        "Crédit photo : DR",
    ):
        assert is_debris(credit), credit
    assert not is_debris("Photos of the flooded road were shared widely on Monday")


def test_read_also_block_takes_its_link_titles_with_it() -> None:
    from transforms.clean import clean_body

    text = (
        "Premier paragraphe de l'article.\nLire aussi\nUn autre titre lié sans point\n"
        "Dernier paragraphe, qui se termine."
    )
    assert clean_body(text) == "Premier paragraphe de l'article.\n\nDernier paragraphe, qui se termine."
    arabic = "الفقرة الأولى من المقال.\nاقرأ أيضا\nعنوان مقال آخر\nالفقرة الأخيرة من المقال."
    assert clean_body(arabic) == "الفقرة الأولى من المقال.\n\nالفقرة الأخيرة من المقال."


def test_headline_under_a_breadcrumb_is_dropped() -> None:
    from transforms.clean import clean_body

    assert (
        clean_body("Accueil\nNational\nLe titre\nLe texte commence ici.", "Le titre")
        == "Le texte commence ici."
    )


@pytest.mark.parametrize(
    "dateline",
    [
        "Le 23/02/2025 à 23h13",
        "9 يونيو 2025 - 07:05",
        "Updated: March 3, 2025 10:00 GMT",
        "الخميس 12 غشت 2025",
        "Publié le 1er février 2026 à 09h05",
    ],
)
def test_a_date_line_above_the_text_goes(dateline: str) -> None:
    paragraph = "Le gouvernement a présenté sa démission au président, qui l'a acceptée dans la soirée."
    assert clean_body(f"{dateline}\n{paragraph}") == paragraph


def test_sentences_starting_with_a_date_stay() -> None:
    text = "Le 23 février 2025, le gouvernement a démissionné.\nDoha, 1 février 2026\nSuite du texte."
    assert clean_body(text) == text.replace("\n", "\n\n")
