"""The merchant name from the receipt header (made-up header text)."""

from __future__ import annotations

from ocr.extract import Line
from ocr.merchant import continues, merchant_candidates, registered, within_address


def best(text: str) -> str:
    return merchant_candidates([Line(t, 90.0) for t in text.splitlines()])[0].value


def test_a_registration_number_after_the_name_is_dropped_not_held_against_it() -> None:
    assert best("""GRANDS MOULINS DU NORD SAS (412118-K)
3 RUE DES ECLUSES
59000 LILLE
HORAIRES D'OUVERTURE""") == "GRANDS MOULINS DU NORD SAS"


def test_hotel_is_a_trade_word_not_a_phone_label() -> None:
    assert best("""HOTEL DES VOYAGEURS
56 COURS LAFAYETTE
69003 LYON
Tel 04 78 00 00 00""") == "HOTEL DES VOYAGEURS"


def test_a_restaurant_named_table_is_not_a_table_number() -> None:
    assert best("""LA TABLE DE MARGOT
16 AVENUE JEAN JAURES
75019 PARIS
Table 12 couverts 2""") == "LA TABLE DE MARGOT"


def test_a_name_printed_over_two_lines_is_joined() -> None:
    assert best("""QUINCAILLERIE DU CENTRE &
ELECTRICITE
14 RUE DE LA GARE
Tel 03 20 00 00 00""") == "QUINCAILLERIE DU CENTRE & ELECTRICITE"
    assert best("""LIBRAIRIE DES TROIS
SARL
2 PLACE DU MARCHE
SIRET 123 456 789 00012""") == "LIBRAIRIE DES TROIS SARL"
    assert best("""MAISON ROUSSEL TRADING
(RIVE GAUCHE) SDN BHD
22 JALAN MELATI""") == "MAISON ROUSSEL TRADING (RIVE GAUCHE) SDN BHD"
    # A country in the name is no address ("… Malaysia" / "Sdn Bhd").
    assert best("""Orchid Chickenland Malaysia
Sdn Bhd
Unit G-13, Ground Floor, No.1
50480 Kuala Lumpur""") == "Orchid Chickenland Malaysia Sdn Bhd"


def test_a_legal_entity_under_a_brand_is_not_joined_to_it() -> None:
    assert best("""LE COMPTOIR DORE
BOULANGERIE ROUSSEL SARL
8 RUE VICTOR HUGO""") == "BOULANGERIE ROUSSEL SARL"
    assert not continues("LE COMPTOIR DORE", "BOULANGERIE ROUSSEL SARL")


def test_an_address_or_a_registration_line_is_no_continuation() -> None:
    assert not continues("CAFE DE LA PAIX &", "12 RUE DE LA PAIX")
    assert not continues("MAISON ROUSSEL ENTERPRISE", "(AB0352019-K)")
    assert best("""HOTEL DU LAC
(123456-K)
1 QUAI DU LAC""") == "HOTEL DU LAC"


def test_a_name_goes_on_over_a_speck_line_and_a_leading_connector() -> None:
    assert best("""LIBRAIRIE DU PORT
' }
SARL
3 QUAI DES ARTS""") == "LIBRAIRIE DU PORT SARL"
    assert best("""LE CAFE DU MARCHE
& TRAITEUR SARL
3 QUAI DES ARTS""") == "LE CAFE DU MARCHE & TRAITEUR SARL"


def test_the_company_owning_the_shop_is_not_its_name() -> None:
    header = """PAPYRUS ET CIE
12, QUAI DES CHARTRONS
33000 BORDEAUX
Tel: 05 56 00 00 00
FACTURE
Exploitee par :
PAPETERIES REUNIES SAS (1135772-K)"""
    assert best(header) == "PAPYRUS ET CIE"
    assert best(header.replace("Exploitee par :", "Owned By :")) == "PAPYRUS ET CIE"
    assert best(header.replace("Exploitee par :\n", "Owned By : ")) == "PAPYRUS ET CIE"


def test_a_name_over_two_lines_ends_at_the_registration_number_under_it() -> None:
    assert best("""RESTAURANT JIAWEI
JIAWEI HOUSE
002693074-K
13, JLN TASIK UTAMA 8
57000 KL""") == "RESTAURANT JIAWEI JIAWEI HOUSE"
    assert continues("RESTAURANT JIAWEI", "JIAWEI HOUSE", "(002693074-K)")
    assert not continues("RESTAURANT JIAWEI", "JIAWEI HOUSE", "13, JLN TASIK UTAMA 8")
    # A brand over the registered company stays apart: the company has its legal form.
    assert not continues("PAPYRUS ET CIE", "PAPETERIES REUNIES SAS", "(1135772-K)")


def test_the_name_a_registration_number_follows_beats_a_branch_line() -> None:
    header = """SELASIH EKSLUSIF SDN BHD (624101-D)
Duty Free Zone (JB)
88 Jalan Ibrahim Sultan"""
    assert registered([Line(t, 90.0) for t in header.splitlines()], 0)
    assert best(header) == "SELASIH EKSLUSIF SDN BHD"
    lines = [Line(t, 97.0) for t in ("GOODS SOLD ARE NOT RETURNABLE, THSH YOU",
                                      "(002107265-V)", "SLF CASH & CARRY",
                                      "NO.15 JLN TSJ2, TMN SUBANG JASA")]
    assert not registered(lines, 2)
    assert registered([Line("SLF CASH & CARRY", 93.0), Line("(002107265-V) €", 85.0)], 0)


def test_a_sentence_of_the_footer_read_at_the_top_is_not_the_name() -> None:
    assert best("""GOODS SOLD ARE NOT RETURNABLE, THSH YOU
(002107265-V)
SLF CASH &CARRY
NO.15.JLN TSJ2.TMN SUBANG JASA.""") == "SLF CASH &CARRY"
    assert best("""MERCI DE VOTRE VISITE A BIENTOT
BOULANGERIE DU PORT
4 QUAI DES ARTS""") == "BOULANGERIE DU PORT"


def test_a_line_inside_the_address_is_not_the_name() -> None:
    header = """I . Yam Fresh
No.1456, Jalan Rimbunan Raya 1,
Laman Rimbunan Kepong,
52100 Kuala Lumpur"""
    lines = [Line(t, 93.0) for t in header.splitlines()]
    assert within_address(lines, 2)
    assert not within_address(lines, 0)
    assert best(header) == "Yam Fresh"
    # A French shop name above its street is not inside the address.
    assert best("""Le Petit Zinc
12 rue de la Gare
69003 Lyon""") == "Le Petit Zinc"


def test_an_owner_label_with_another_lines_words_read_into_it_still_names_the_owner() -> None:
    assert best("""SANYUSTATIONERYSHOP
NO. 31G&33G, JALAN SETIA INDAH X ,U13/X
40170 SETIA ALAM
Tel: +603-3362 4137
Owned By : TAX INVOICE
SANYU SUPPLY SDN BHD (1135772-K)""") == "SANYUSTATIONERYSHOP"
    # Words of a name after the label are that name: the next line is not the owner's.
    assert best("""LE COMPTOIR DU PORT
Exploite par : MAISON ROUSSEL
BOULANGERIE ROUSSEL SARL (123456-K)""") == "BOULANGERIE ROUSSEL SARL"
