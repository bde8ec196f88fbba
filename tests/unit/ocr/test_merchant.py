"""The merchant name from the receipt header (made-up header text)."""

from __future__ import annotations

from ocr.extract import Line
from ocr.merchant import continues, merchant_candidates


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
