"""Cleaning one OCR line into a merchant name (made-up names)."""

from __future__ import annotations

from ocr.merchant_names import clean_name, is_registration


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


def test_a_sendirian_berhad_slash_form_read_with_damaged_letters_is_s_b() -> None:
    assert clean_name("97 SPEED MART 5/2 (519537-x)") == "97 SPEED MART S/B"
    assert clean_name("SOON FATT S/R (81497-P)") == "SOON FATT S/B"
    assert clean_name("KEDAI RUNCIT MAJU $/B") == "KEDAI RUNCIT MAJU S/B"
    assert clean_name("BATU 5/2 CAFE") == "BATU 5/2 CAFE"  # not at the end: not a legal form
    assert clean_name("5/2") == "5/2"  # no name before it


def test_m_misread_as_n_or_w_in_a_trade_word() -> None:
    assert clean_name("99 SPEED NART S/B") == "99 SPEED MART S/B"
    assert clean_name("99 SPEED WART S/B") == "99 SPEED MART S/B"
    assert clean_name("LE PETIT NART") == "LE PETIT MART"
    assert clean_name("CAFE DU NORD") == "CAFE DU NORD"  # no trade word one letter away


def test_specks_read_after_sdn_are_its_lost_bhd() -> None:
    assert clean_name("ONE ONE THREE SEAFOOD RESTAURANT SDN ii.") == (
        "ONE ONE THREE SEAFOOD RESTAURANT SDN BHD")
    assert clean_name("ONE ONE THREE SEAFOOD RESTAURANT SDN HD") == (
        "ONE ONE THREE SEAFOOD RESTAURANT SDN BHD")


def test_a_character_and_a_mark_before_the_name_are_specks() -> None:
    assert clean_name("I . Yam Fresh") == "Yam Fresh"
    assert clean_name("| , LE PETIT ZINC") == "LE PETIT ZINC"
    assert clean_name("A & W RESTAURANT") == "A & W RESTAURANT"  # an initial of the name


def test_a_bare_registration_number_line() -> None:
    assert is_registration("(162761-M)")
    assert is_registration("002693074-K")
    assert is_registration("(002107265-V) €")
    assert is_registration("(002107265-V) <97")
    assert not is_registration("Company Reg No.:75495-W")  # labelled: printed anywhere
    assert not is_registration("TEL 03-7734 3662")
    assert not is_registration("57000 KL")
    assert not is_registration("GST ID 001169362944")
    assert not is_registration("SIRET 123 456 789 00012")


def test_a_one_or_a_zero_read_for_a_letter_inside_a_word() -> None:
    assert clean_name("ATELIER 1DEA SARL") == "ATELIER IDEA SARL"
    assert clean_name("LA B0UTIQUE") == "LA BOUTIQUE"
    assert clean_name("7ELEVEN") == "7ELEVEN"  # another digit: a name of its own
    assert clean_name("R10 PIZZA") == "R10 PIZZA"  # too few letters to tell
    assert clean_name("CAFE 1900") == "CAFE 1900"  # a number stays a number


def test_a_long_trade_word_with_two_letters_misread_is_restored() -> None:
    assert clean_name("MAISON ROUSSEL HARUWARL") == "MAISON ROUSSEL HARDWARE"
    assert clean_name("MAISON ROUSSEL HANDWORK") == "MAISON ROUSSEL HANDWORK"  # 3 letters off


def test_a_closing_parenthesis_glued_to_the_legal_form() -> None:
    assert clean_name("ORCHID HARDWARE (RIVE GAUCHE)SDN BHU") == \
        "ORCHID HARDWARE (RIVE GAUCHE) SDN BHD"


def test_lower_case_words_with_a_digit_or_a_capital_i_read_for_a_letter() -> None:
    assert clean_name("Taste 0f The WorId Sarl") == "Taste of The World Sarl"
    assert clean_name("McIntosh Cafe") == "McIntosh Cafe"  # a capital after one letter stays
    assert clean_name("LOT 1A") == "LOT 1A"  # a code in capitals stays


def test_both_halves_of_sdn_bhd_damaged_or_glued_and_what_follows_in_another_case() -> None:
    assert clean_name("(P) ORCHID CASH & CARRY SBN 3HD 28-05") == "ORCHID CASH & CARRY SDN BHD"
    assert clean_name("ORCHID HARDWARE (RIVE GAUCHE) SDNBHU") == \
        "ORCHID HARDWARE (RIVE GAUCHE) SDN BHD"
    assert clean_name("ORCHID HARDWARE & TIMBER SDN. BHD Lor") == \
        "ORCHID HARDWARE & TIMBER SDN. BHD"
    assert clean_name("Orchid Trading Sdn Bhd Kepong") == "Orchid Trading Sdn Bhd Kepong"
