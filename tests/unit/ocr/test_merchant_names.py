"""Cleaning one OCR line into a merchant name (made-up names)."""

from __future__ import annotations

from ocr.merchant_names import clean_name


def test_legal_forms_misread_by_confusable_characters_are_restored() -> None:
    assert clean_name("BOULANGERIE MARTIN SARI") == "BOULANGERIE MARTIN SARL"
    assert clean_name("TANAH MERAH TRADING SON BHO") == "TANAH MERAH TRADING SDN BHD"
    assert clean_name("KEDAI RUNCIT MAJU 5/8") == "KEDAI RUNCIT MAJU S/B"
    assert clean_name("LES SAISONS") == "LES SAISONS"  # a word, not a legal form
    assert clean_name("LE SON DU MARCHE") == "LE SON DU MARCHE"  # only at the end


def test_a_damaged_half_of_sdn_bhd_is_restored_from_the_other() -> None:
    assert clean_name("TANAH MERAH TRADING SDN BILD") == "TANAH MERAH TRADING SDN BHD"
    assert clean_name("TANAH MERAH TRADING SUN BHD") == "TANAH MERAH TRADING SDN BHD"
    assert clean_name("PERDANA RAYA BHD") == "PERDANA RAYA BHD"  # a Berhad without Sdn


def test_what_follows_a_final_legal_form_is_dropped_unless_it_is_words() -> None:
    assert clean_name("ORCHID TRADING SDN BHD (Co. No") == "ORCHID TRADING SDN BHD"
    assert clean_name("ORCHID TRADING SDN BHD GX4412-U") == "ORCHID TRADING SDN BHD"
    assert clean_name("ORCHID TRADING SDN BHD è 3") == "ORCHID TRADING SDN BHD"
    assert clean_name("SARL LA BONNE PATE") == "SARL LA BONNE PATE"


def test_specks_and_junk_around_the_name_are_trimmed() -> None:
    assert clean_name("+ MAISON PERRET") == "MAISON PERRET"
    assert clean_name("ù MAISON PERRET") == "MAISON PERRET"
    assert clean_name("À LA BONNE FRANQUETTE") == "À LA BONNE FRANQUETTE"
    assert clean_name("COMPTOIR DES HALLES SARL ”") == "COMPTOIR DES HALLES SARL"
    assert clean_name("UNIVERS DU CAFE SAS D") == "UNIVERS DU CAFE SAS"


def test_dotted_initials_read_with_digits_get_their_letters_back() -> None:
    assert clean_name("A.1.B. QUINCAILLERIE") == "A.I.B. QUINCAILLERIE"
    assert clean_name("S.0.S. DEPANNAGE") == "S.O.S. DEPANNAGE"
    assert clean_name("10.20 DEPANNAGE") == "10.20 DEPANNAGE"


def test_a_misread_legal_form_inside_the_line_ends_the_name() -> None:
    assert clean_name("KEDAI RUNCIT MAJU $/B 273500-U (AB1)") == "KEDAI RUNCIT MAJU S/B"
    assert clean_name("KEDAI RUNCIT MAJU (519537-x) #") == "KEDAI RUNCIT MAJU"


def test_a_trade_word_misread_by_one_letter_is_restored() -> None:
    assert clean_name("BOULANGERTE DU PONT") == "BOULANGERIE DU PONT"  # any letter, long word
    assert clean_name("Grande Pharnacie du Port") == "Grande Pharmacie du Port"
    assert clean_name("ROYAL HART") == "ROYAL MART"  # H for M: a confusable pair
    assert clean_name("ROYAL PART") == "ROYAL PART"  # P for M is not: short words stay
    assert clean_name("MAISON PICARD") == "MAISON PICARD"


def test_sdn_bhd_restored_when_either_half_is_damaged_or_lost() -> None:
    assert clean_name("ORCHID TRADING SDN. stD") == "ORCHID TRADING SDN. BHD"
    assert clean_name("Orchid Trading Sdn.Rhd") == "Orchid Trading Sdn. BHD"
    assert clean_name("ORCHID TRADING SDIi BHD") == "ORCHID TRADING SDN BHD"
    assert clean_name("ORCHID TRADING SDN BI") == "ORCHID TRADING SDN BHD"
    assert clean_name("ORCHID TRADING SDN") == "ORCHID TRADING SDN BHD"


def test_a_parenthesis_read_as_c_and_lower_case_specks_before_capitals() -> None:
    assert clean_name("ORCHID BOOK CO. CM) SDN BHD") == "ORCHID BOOK CO. (M) SDN BHD"
    assert clean_name("To . MAISON PERRET") == "MAISON PERRET"
    assert clean_name("99 RUE DU BAC") == "99 RUE DU BAC"
    assert clean_name("Le Bon Coin") == "Le Bon Coin"
    assert clean_name("au BON ACCUEIL") == "au BON ACCUEIL"
