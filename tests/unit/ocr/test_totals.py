"""The total and the receipt's own sums (made-up receipt text, no image)."""

from __future__ import annotations

from ocr.checks import decide_auto_accept, run_checks
from ocr.extract import Line, extract_fields
from ocr.totals import leading_digit_lost, one_digit_apart, section_totals, segments


def read(text: str) -> tuple[int | None, bool, dict[str, bool | None]]:
    ex = extract_fields([Line(t) for t in text.splitlines()])
    checks = run_checks(ex)
    return ex.total_cents, decide_auto_accept(ex, checks, 85), {c.name: c.ok for c in checks}


def test_cash_minus_change_confirms_the_total_and_cash_is_not_the_payment() -> None:
    total, auto, checks = read("""CAFE DES ARTS
Le 14/02/2025 12:10
2 Croque monsieur 17,00
TOTAL TTC 17,00
ESPECES 20,00
RENDU 3,00""")
    assert total == 1700
    assert checks["cash_minus_change_equals_total"] is True
    assert "payment_equals_total" not in checks
    assert auto


def test_a_misread_total_digit_is_repaired_by_the_sums_but_left_for_review() -> None:
    total, auto, checks = read("""BRASSERIE DU PORT
Date 03/06/2025
2 Plats du jour 40,00
Sous-total HT 40,00
TVA 10% 4,00
TOTAL TTC 49,00""")
    assert total == 4400
    assert checks["subtotal_plus_adjustments_equals_total"] is True
    assert not auto  # 44,00 is printed nowhere: a person glances at it


def test_a_subtotal_printed_once_does_not_overrule_the_total_line() -> None:
    total, auto, checks = read("""BRASSERIE DU PORT
Date 03/06/2025
Sous-total HT 40,00
TVA 10% 4,00
TOTAL TTC 49,00""")
    assert total == 4900  # either line may be misread: nothing to prefer the sum
    assert checks["subtotal_plus_adjustments_equals_total"] is False
    assert not auto


def test_a_total_confirmed_elsewhere_is_not_repaired_by_a_misread_tax_line() -> None:
    total, auto, checks = read("""LE RELAIS
Date 03/06/2025
Sous-total HT 40,00
TVA 10% 4,80
TOTAL TTC 44,00
CB 44,00""")
    assert total == 4400
    assert checks["payment_equals_total"] is True
    assert checks["subtotal_plus_adjustments_equals_total"] is False
    assert not auto  # the sums disagree: not accepted unseen


def test_an_unreadable_total_line_takes_its_sum_for_review_only() -> None:
    total, auto, _ = read("""CHEZ PAULETTE
05/05/2025
SOUS TOTAL 30,00
SERVICE 10% 3,00
TVA 2,50
TOTAL TTC 3S,5O€
Merci""")
    assert total == 3550
    assert not auto


def test_a_rounding_line_whose_minus_sign_was_lost_matches_the_amount_paid() -> None:
    total, _, checks = read("""EPICERIE FINE
Date 02/02/2025
SOUS TOTAL 21,00
TVA 1,26
ARRONDI 0,01
NET A PAYER ##
CB 22,25""")
    assert total == 2225
    assert checks["payment_equals_total"] is True


def test_a_section_total_does_not_beat_the_amount_to_pay() -> None:
    total, _, _ = read("""GROSSISTE DU MARCHE
Date 09/09/2025
Total produits frais 54,31
Total epicerie HT 13,30
TVA 5,5% 0,73
Total epicerie TTC 14,03
NET A PAYER 68,34""")
    assert total == 6834


def test_two_label_amount_pairs_on_one_line_are_read_apart() -> None:
    parts = segments(["Economies 0,00 Total 77,20"])
    assert [(p.label, p.amounts) for p in parts] == [("ECONOMIES 0,00", [0]),
                                                     (" TOTAL 77,20", [7720])]
    total, _, _ = read("""SUPERETTE
12/03/2025
Article 2 total avec TVA 77,20
Economies 0,00 Total 77,20
Especes 100,00
Rendu 22,80""")
    assert total == 7720


def test_one_digit_apart() -> None:
    assert one_digit_apart(5450, 6450)
    assert not one_digit_apart(5450, 6460)
    assert not one_digit_apart(900, 9000)


def test_an_unlabelled_largest_amount_printed_twice_is_not_accepted_unseen() -> None:
    total, auto, _ = read("""SNCF
Le 20/05/2025 a 13:38
BILLET TGV INOUI
1 Adulte 2nde classe
TOTAL TTC SA ODEUR
PAPE 29,91
TAUX HT TVA
Bana ee 29,91 2,99""")
    assert total == 2991
    assert not auto


def test_an_unlabelled_total_confirmed_by_two_sums_is_accepted() -> None:
    total, auto, checks = read("""TABAC DE LA GARE
Le 20/05/2025 a 08:02
Total TTC € 8,6O0
TVA 20,0% 7,17 1,43
ESPECES 10,00
RENDU 1,40
8,60""")
    assert total == 860
    assert checks["cash_minus_change_equals_total"] and checks["vat_rows_sum_to_total"]
    assert auto


def test_the_tax_total_is_not_the_bill_total() -> None:
    # The bill's total line is illegible; the tax's own total, printed twice, is not taken.
    total, auto, _ = read("""KEDAI BUKU MAJU
Date: 12/04/2018
1 Exercise book 24.00
TOTAL TAX: 1.44
TOTAL 2S-4S
TAX TOTAL: 1.44""")
    assert total != 144
    assert not auto


def test_a_total_row_of_the_tax_breakdown_is_not_the_bill_total() -> None:
    # The bill's own total line is illegible; the breakdown's TOTAL row (the tax) is printed
    # twice but is not a candidate.
    total, auto, _ = read("""QUINCAILLERIE DU CENTRE
Le 02/05/2025
1 Cadenas 12,00
TOTAL T.T.C 1Z,OO
GST SUMMARY
CODE % AMOUNT TAX
SR 6.00 12.00 0.72
TOTAL: 12.00 0.72""")
    assert total != 72
    assert not auto


def test_a_total_with_its_tax_included_stays_the_total() -> None:
    total, _, _ = read("""MINI MARKET
Date: 01/03/2018
2 Milk 7.00
TOTAL GST INCLUSIVE 7.00""")
    assert total == 700


def test_a_payment_line_does_not_confirm_itself() -> None:
    # The total line is illegible; the only amount is on the card line: kept, but not accepted
    # on the strength of 'payment = total' alone.
    total, auto, checks = read("""LIBRAIRIE DES QUAIS
Le 09/01/2025 16:20
1 Roman poche 8,90
1 Carnet 4,30
TOTAL T.T.C
PAYE PAR CARTE : 13,20""")
    assert total == 1320
    assert checks.get("payment_equals_total") is True
    assert not auto


def test_a_rounding_line_below_an_unrounded_total_leaves_the_amount_paid_unread() -> None:
    total, auto, _ = read("""RESTORAN SELERA
Date: 14/05/2018 12:14
1 Nasi lemak 20.00
SUB TOTAL: 20.00
SERVICE CHG 10%: 2.00
GST 6%: 1.32
GRAND TOTAL: 23.32
ROUNDING ADJUSTMENT:
NET TOTAL: ~~ ..""")
    assert total == 2332
    assert not auto  # the amount paid (23.30) is printed lower and illegible


def test_a_total_already_on_the_rounding_step_is_still_accepted() -> None:
    total, auto, _ = read("""RESTORAN SELERA
Date: 14/05/2018 12:14
1 Nasi lemak 20.00
SUB TOTAL: 20.00
GST 6%: 1.20
GRAND TOTAL: 21.20
ROUNDING ADJUSTMENT: O.O0
CASH: 50.00
CHANGE: 28.80""")
    assert total == 2120
    assert auto


def test_the_rounded_amount_printed_after_the_rounding_line_is_the_total() -> None:
    total, _, checks = read("""KEDAI RUNCIT AMAN
Date: 08/08/2017
2 Roti 13.58
Total Sales (Inclusive GST) RM 13.58
Rounding Adjustment RM 0.02
Rounding RM 13.60
CASH RM 20.00""")
    assert total == 1360
    assert checks["rounding_adjustment_equals_total"] is True


def test_a_bare_rounded_amount_below_the_rounding_line_is_the_total() -> None:
    total, _, _ = read("""KEDAI RUNCIT AMAN
Date: 08/08/2017
TOTAL AMT ......... RM 60.31
ROUNDING ADJ ...... -0.01
RM 60.30""")
    assert total == 6030


def test_without_a_rounding_line_the_cents_stay_as_printed() -> None:
    total, _, _ = read("""EPICERIE FINE
Le 08/08/2025
TOTAL TTC 13,58
CB 13,58""")
    assert total == 1358


def test_money_handed_over_under_any_label_is_not_the_total() -> None:
    total, _, checks = read("""PARKING CENTRE VILLE
Le 27/06/2025 10:02
1 Ticket parking 1,50
Montant 1,50
Accepte 2,00
Rendu 0,50""")
    assert total == 150
    assert checks["cash_minus_change_equals_total"] is True


def test_a_total_label_with_one_letter_misread_is_still_a_total_label() -> None:
    total, _, _ = read("""KEDAI RUNCIT AMAN
Date: 16/05/2017
3 Sabun 11.50
Totel Sales {inclusive GST) RM 11.50
CASH RM 52.00""")
    assert total == 1150


def test_net_amt_is_a_total_label() -> None:
    total, auto, _ = read("""PASAR MINI
Date: 27/06/2018
1 Beras 10kg 136.00
Gross Amt 136.00
GST (6%) 0.00
Net Amt: 136.00
CASH 150.00
Change 14.00""")
    assert total == 13600
    assert auto


def test_a_total_row_of_two_columns_is_not_the_total() -> None:
    total, _, _ = read("""KEDAI BUKU MAJU
Date: 12/04/2018
1 Pen 21.20
Total Sales 21.20
Code Amt(RM) Tax(RM)
Total: 20.00 1.20""")
    assert total == 2120


def test_the_amount_payable_outranks_plain_total_lines() -> None:
    total, _, _ = read("""PHARMACIE DU MARCHE
Le 17/08/2025
Total articles remboursables: 9,36
Total avoir: -1,39
Total 0 supplies: 9,36
Total a payer: 7,97""")
    assert total == 797


def test_inclusive_of_tax_misread_is_still_the_total() -> None:
    total, _, _ = read("""KEDAI RUNCIT AMAN
Date: 12/01/2018
Total Sales (Excluding GST) : 94.34
Total GST 5.66
Rounding 0.00
Total Sales (In clusive of GST) 100.00
Ref 2178.08""")
    assert total == 10000


def test_a_tax_included_in_the_total_does_not_contradict_it() -> None:
    total, auto, checks = read("""KOPITIAM SENANG
Date: 12/03/2018 10:15
1 Nasi goreng $7.10
1 Teh $1.10
Total Amount: $8.20
GST @6%: $0.46
Nett Total: $8.20
CASH $10.00
Change $1.80""")
    assert total == 820
    assert checks.get("subtotal_plus_adjustments_equals_total") is None
    assert auto


def test_the_tax_total_is_not_the_subtotal_of_a_sum() -> None:
    total, auto, checks = read("""KEDAI BUKU MAJU
Date: 18/01/2018
1 Pensel 4.60
SUB-TOTAL (EX) 4.60
TOTAL TAX : 0.28
ROUNDING : 0.02
TOTAL : 4.90
CASH : 5.00
CHANGE : 0.10""")
    assert total == 490
    assert checks["subtotal_plus_adjustments_equals_total"] is True
    assert auto


def test_a_sum_of_zero_terms_whose_tax_line_is_missing_does_not_block() -> None:
    total, auto, checks = read("""KEDAI BUKU MAJU
Date: 28/12/2017
1 Kertas 465.34
Total Sales (Excluding GST) 439.00
Rounding : 0.00
Total Sales (Inclusive of GST) : 465.34
CASH : 500.00
Change : 34.66""")
    assert total == 46534
    assert checks.get("subtotal_plus_adjustments_equals_total") is None
    assert auto


def test_a_total_that_lost_its_first_digit_gives_way_to_cash_minus_change() -> None:
    total, auto, _ = read("""BRASSERIE DE LA GARE
Le 05/01/2025 13:40
3 Menus 71,00
TOTAL 1,00
ESPECES 101,00
RENDU 30,00""")
    assert total == 7100
    assert not auto  # the total line disagrees: a person glances at it


def test_leading_digit_lost() -> None:
    assert leading_digit_lost(100, 7100)
    assert not leading_digit_lost(7100, 7100)
    assert not leading_digit_lost(5, 15)


def test_a_sum_restores_a_total_that_lost_its_first_digit() -> None:
    total, auto, _ = read("""KEDAI BUKU MAJU
Date: 17/01/2018
1 Laminating film 26.00
Total Qty: 1 26.00
SUB-TOTAL (EX) 26.00
TOTAL TAX 1.56
ROUNDING -0.01
TOTAL 3 7.55""")
    assert total == 2755
    assert not auto


def test_a_total_incl_tax_line_is_where_a_sum_to_the_rounded_total_starts() -> None:
    total, _, checks = read("""KEDAI RUNCIT AMAN
Date: 12/03/2018
Sub-total 42.48
Jotal Sales incl GST 42.48
Rounding adj 0.02
Total After Adj Incl GST 42.50
CASH 50.00""")
    assert total == 4250
    assert checks["subtotal_plus_adjustments_equals_total"] is True


def test_a_rounded_total_the_printed_adjustment_accounts_for_is_accepted() -> None:
    total, auto, checks = read("""KEDAI RUNCIT AMAN
Date: 22/11/2017 10:05
1 Periuk 181.98
Total Sales (Inclusive GST) RM 181.98
Rounding Adjustment RM .02
Rounding RM 182.00
CASH RM 200.00
CHANGE RM 18.00""")
    assert total == 18200
    assert checks["rounding_adjustment_equals_total"] is True
    assert auto


def test_two_section_totals_adding_up_to_the_total_confirm_it() -> None:
    total, auto, checks = read("""BOULANGERIE DU PARC
Le 28/08/2025
Total produits taux 0: 14,35
Total produits 5,5 (TTC): 27,09
Total a payer: 41,44""")
    assert total == 4144
    assert checks["section_totals_equals_total"] is True
    assert auto


def test_section_totals_that_do_not_add_up_give_no_route() -> None:
    assert section_totals(segments(["Total A: 14.35", "Total B: 27.00", "TOTAL: 41.44"]),
                          4144) is None


def test_a_digit_added_before_the_total_is_taken_off_by_its_sections_and_left_for_review() -> None:
    total, auto, _ = read("""GARDENIA BAKERIES SDN BHD
Date: 27/07/2017
O.C. WHITE 2.13 3 6.39
Total 0% supplies: 20.67
HAZEL CHOC 6.90 6 41.40
Total 6% supplies (Inc. GST): 73.52
Total Payable: 194.19""")
    assert total == 9419  # 73.52 + 20.67: the leading 1 is a stray mark read as a digit
    assert not auto  # a total no line prints as read: a person looks


def test_sections_adding_up_to_another_amount_do_not_replace_the_total() -> None:
    total, _, _ = read("""BOULANGERIE DU PARC
Le 28/08/2025
Total produits taux 0: 14,35
Total produits 5,5 (TTC): 27,09
Total a payer: 51,44""")
    assert total == 5144


def test_a_cash_bill_number_cb_hash_is_not_a_card_payment() -> None:
    total, auto, checks = read("""ADVANCO COMPANY
CB#: 389772 17/01/2018 8.08:53
1 CANON PG-47BK 29.00
Total Inclusive GST: 29.00
CASH 50.00
Change 21.00""")
    assert total == 2900
    assert "payment_equals_total" not in checks  # no card line: cash minus change confirms
    assert checks["cash_minus_change_equals_total"] is True
    assert auto


def test_an_unreadable_total_under_two_section_totals_is_their_sum_left_for_review() -> None:
    total, auto, _ = read("""GARDENIA BAKERIES SDN BHD
Date: 01/08/2017
Total 0% supplies: 19.83
Total 6% supplies (excl. GST): 30.24
Total 6% supplies (Inc. GST): 32.05
Total Payable:""")
    assert total == 5188  # 32.05 + 19.83; the excl. GST line is not a section's total
    assert not auto


def test_an_unreadable_total_under_three_section_totals_is_not_guessed() -> None:
    total, _, _ = read("""KEDAI
Date: 01/08/2017
Total A: 19.83
Total B: 32.05
Total C: 4.00
Total Payable:""")
    assert total != 5588


def test_money_the_till_accepted_before_giving_change_is_not_the_total() -> None:
    total, _, checks = read("""PARKING SENTRAL
Date: 05/03/2018 10:12
Pay parking ticket 5.00 RM
Amount Incl. GST 5.00 RM
Accepted total 10.00 RM
Change 5.00 RM""")
    assert total == 500
    assert checks["cash_minus_change_equals_total"] is True


def test_a_total_line_whose_decimal_mark_was_dropped_still_labels_the_total() -> None:
    total, auto, checks = read("""KEDAI BUKU ANNA
Date: 23/03/2018 14:02
1 Buku latihan 10.00
GRAND TOTAL 1000
CASH 20.00
CHANGE DUE 10.00""")
    assert total == 1000
    assert checks["cash_minus_change_equals_total"] is True
    assert auto  # the total's own line prints 1000: one route confirms it


def test_a_dropped_decimal_mark_of_another_value_labels_nothing() -> None:
    _, auto, _ = read("""KEDAI BUKU ANNA
Date: 23/03/2018 14:02
1 Buku latihan 10.00
GRAND TOTAL 1500
CASH 20.00
CHANGE DUE 10.00""")
    assert not auto


def test_a_zero_rated_row_counts_in_the_tax_table_sum() -> None:
    total, auto, checks = read("""KEDAI RUNCIT AMAN
Date: 12/09/2017 10:05
Total Incl. GST:RM 20.05
CASH 50.00
CHANGE 29.95
GST Summary Amount(RM) Tax(RM)
S @6.0% 16.42 0.99
Z @0.0% 2.64 0.00""")
    assert total == 2005
    assert checks["vat_rows_sum_to_total"] is True  # 16.42 + 0.99 + 2.64
    assert auto


def test_a_zero_rate_on_a_euro_receipt_is_flagged_for_a_look() -> None:
    _, auto, checks = read("""LIBRAIRIE DU MARCHE
Le 12/09/2025 10:05
TOTAL TTC 18,47 EUR
CB 18,47 EUR
TVA 5,5% 15,80 0,87
TVA 0% 1,80 0,00""")
    assert checks["vat_rows_sum_to_total"] is True
    assert checks["vat_rate_legal"] is False
    assert not auto


def test_a_zero_rate_outside_a_tax_table_is_no_vat_row() -> None:
    ex = extract_fields([Line(t) for t in """GARDENIA BAKERIES SDN BHD
Date: 27/07/2017
Total 0% supplies: 20.67
Total Payable: 20.67""".splitlines()])
    assert ex.vat == []


def test_total_tax_included_is_the_total() -> None:
    total, _, _ = read("""GUARDIAN HEALTH AND BEAUTY SDN BHD
13/06/18 16:58
GDN KTCH LILY500ML 6.90
SUBTOTAL 38.37
TOTAL (GST INCL) 38.37
CASH 40.35
CHANGE DUE 2.00""")
    assert total == 3837


#: A bistro's bill whose service charge line OCR misread ('150)' for 15.00).
_MISREAD_SERVICE = """THREE STOOGES BISTRO
Date: 09/01/2018 21:40
1 SUB TOTAL 150.00
SERVICE CHARGE 10% 150)
GST 6%
NET TOTAL 174.90
CASH 200.00
CHANGE 25.10"""


def test_a_misread_line_above_the_total_is_outvoted_by_the_tax_table_and_the_change() -> None:
    total, auto, checks = read(_MISREAD_SERVICE + """
Tax Summary Amount Tax
SR @ 6% 165.00 9.90""")
    assert total == 17490
    assert checks["vat_rows_sum_to_total"] is True
    assert checks["cash_minus_change_equals_total"] is True
    assert checks["subtotal_plus_adjustments_equals_total"] is None  # outvoted, not failed
    assert auto


def test_a_sum_route_missing_the_total_with_one_other_route_still_fails() -> None:
    _, auto, checks = read(_MISREAD_SERVICE)
    assert checks["subtotal_plus_adjustments_equals_total"] is False
    assert not auto


def test_the_total_after_rounding_is_the_total_even_when_ocr_damaged_its_label() -> None:
    total, auto, checks = read("""KEDAI RUNCIT AMAN
Date: 10/08/2017 12:01
Tota 21.40
Roundmig Adiustment 0.00
Total AtlerCRounding 21.40
Cash 50.00
CHANGE 28.60""")
    assert total == 2140
    assert checks["cash_minus_change_equals_total"] is True
    assert auto
