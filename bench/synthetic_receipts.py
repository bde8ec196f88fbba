"""Deterministic French receipt photos rendered with Pillow, with their ground truth.

``render_receipt(seed)`` returns a photo-like image and the truth; ``write_set(dir, count)``
writes ``img/NNN.jpg`` + ``key/NNN.json`` laid out like the SROIE folder, so ``nomade
ocr-eval`` reads both. Kinds: restaurant (several VAT rates), hotel (nights + taxe de séjour),
SNCF ticket, taxi, fuel; from seed :data:`RICHER_FROM` on also motorway toll and bakery, tips
(pourboire) outside the VAT table and accented names (seeds below it keep the layouts the tests
were written against). Distortions: rotation, tilt, perspective, blur, noise, shadow,
crumple-like warping. Uses the Debian fonts (fonts-dejavu-core, fonts-liberation).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONT_FILES = ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "DejaVuSans.ttf",
              "LiberationSans-Regular.ttf")
BOLD_FILES = ("DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf", "DejaVuSans-Bold.ttf",
              "LiberationSans-Bold.ttf")
WIDTH_CHARS = 36

STREETS = ("RUE DE LA PAIX", "AVENUE JEAN JAURES", "BD VOLTAIRE", "RUE DU COMMERCE",
           "PLACE DE LA GARE", "QUAI DES CHARTRONS", "RUE NATIONALE", "COURS LAFAYETTE")
CITIES = (("75002", "PARIS"), ("69003", "LYON"), ("33000", "BORDEAUX"), ("59000", "LILLE"),
          ("31000", "TOULOUSE"), ("44000", "NANTES"), ("67000", "STRASBOURG"),
          ("13001", "MARSEILLE"))
RESTAURANTS = ("LE PETIT ZINC", "BRASSERIE DU NORD", "CHEZ MARCEL", "LA TABLE DE SOPHIE",
               "LE BISTROT GOURMAND", "CAFE DE LA MAIRIE", "AU BON ACCUEIL", "LA CASSEROLE")
HOTELS = ("HOTEL DU CENTRE", "HOTEL IBIS GARE", "HOTEL DE LA POSTE", "GRAND HOTEL MODERNE",
          "HOTEL LES TILLEULS", "HOTEL KYRIAD SUD")
TAXIS = ("TAXI G7", "TAXI RADIO LYON", "ALLO TAXI 33", "TAXI BLEU LILLE")
FUELS = ("STATION ESSO ROCADE", "TOTALENERGIES RELAIS", "INTERMARCHE CARBURANT",
         "STATION AVIA NORD")
TOLLS = ("VINCI AUTOROUTES", "SANEF PEAGE", "APRR AUTOROUTE", "ASF PÉAGE DE SAINT-ARNOULT")
BAKERIES = ("BOULANGERIE PÂTISSERIE LEFÈVRE", "AU PÉTRIN D'ANTAN", "MAISON FRANÇOIS BOULANGER",
            "BOULANGERIE DU MARCHÉ")
#: Accented spellings of some names, used from RICHER_FROM on.
ACCENTED = {"CAFE DE LA MAIRIE": "CAFÉ DE LA MAIRIE", "HOTEL DE LA POSTE": "HÔTEL DE LA POSTE",
            "LA TABLE DE SOPHIE": "LA TABLE D'HÉLÈNE", "AU BON ACCUEIL": "CRÊPERIE DU MÔLE",
            "HOTEL DU CENTRE": "HÔTEL DU CENTRE", "GRAND HOTEL MODERNE": "GRAND HÔTEL MODERNE",
            "BRASSERIE DU NORD": "BRASSERIE DE L'ÉTOILE"}
#: Seeds from here on draw the richer layouts (toll, bakery, tips, accents).
RICHER_FROM = 100
BREADS = (("Baguette tradition", 130), ("Croissant", 120), ("Pain au chocolat", 135),
          ("Flan patissier", 320), ("Sandwich jambon beurre", 550), ("Eclair cafe", 290))
DISHES = (("Menu du jour", "10"), ("Plat du jour", "10"), ("Entrecote frites", "10"),
          ("Salade nicoise", "10"), ("Cafe", "10"), ("Eau minerale", "10"),
          ("Dessert maison", "10"), ("Verre de vin", "20"), ("Biere pression", "20"),
          ("Jus de fruits", "10"), ("Sandwich a emporter", "5.5"), ("Quart de vin", "20"))


def cents(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(c: int) -> str:
    return f"{c // 100},{c % 100:02d}"


def siret(rng: random.Random) -> str:
    while True:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(14))
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0 and not digits.startswith("0"):
            return digits


@dataclass
class Receipt:
    kind: str
    merchant: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (style, text)
    total: int = 0
    date: str = ""
    vat: list[dict[str, object]] = field(default_factory=list)


def _row(left: str, right: str, width: int = WIDTH_CHARS) -> str:
    space = max(1, width - len(left) - len(right))
    return left + " " * space + right


def _vat_block(
    rng: random.Random, by_rate: dict[str, int]
) -> tuple[list[str], list[dict[str, object]], int]:
    """TTC per rate → printed VAT table, truth rows, HT total."""
    rows: list[dict[str, object]] = []
    out = [_row("TAUX", "HT      TVA", WIDTH_CHARS)] if rng.random() < 0.5 else []
    total_ht = 0
    for rate, ttc in sorted(by_rate.items(), key=lambda kv: -Decimal(kv[0])):
        r = Decimal(rate)
        ht = cents(Decimal(ttc) / 100 / (1 + r / 100))
        vat = ttc - ht
        total_ht += ht
        label = f"{rate.replace('.', ',')}%"
        if out:
            out.append(_row(f"TVA {label}", f"{money(ht):>7} {money(vat):>7}"))
        else:
            out.append(_row(f"TVA {label} sur {money(ht)}", money(vat)))
        rows.append({"rate": rate, "base": ht, "amount": vat})
    return out, rows, total_ht


def _header(rng: random.Random, name: str) -> list[tuple[str, str]]:
    num = rng.randint(1, 120)
    zipc, city = rng.choice(CITIES)
    lines = [("title", name), ("center", f"{num} {rng.choice(STREETS)}"),
             ("center", f"{zipc} {city}"),
             ("center", f"Tel 0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                        f"{rng.randint(10, 99)} {rng.randint(10, 99)}")]
    s = siret(rng)
    lines.append(("center", f"SIRET {s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"))
    return lines


def _date(rng: random.Random) -> tuple[str, str]:
    y, m, d = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm = rng.randint(7, 22), rng.randint(0, 59)
    style = rng.randint(0, 2)
    if style == 0:
        text = f"Le {d:02d}/{m:02d}/{y} a {hh:02d}:{mm:02d}"
    elif style == 1:
        text = f"Date: {d:02d}/{m:02d}/{y % 100:02d}  {hh:02d}h{mm:02d}"
    else:
        text = f"{d:02d}-{m:02d}-{y} {hh:02d}:{mm:02d}"
    return f"{d:02d}/{m:02d}/{y}", text


def build(seed: int) -> Receipt:
    rng = random.Random(seed)
    # A second stream for the richer layouts, so the first draws the same as before.
    more = random.Random(seed * 31 + 7)
    richer = seed >= RICHER_FROM
    kind = ("restaurant", "hotel", "train", "taxi", "fuel")[seed % 5]
    if richer and (seed // 5) % 3 == 2 and kind in ("taxi", "fuel"):
        kind = "toll" if kind == "taxi" else "bakery"
    by_rate: dict[str, int] = {}
    body: list[tuple[str, str]] = []
    extra_no_vat = 0
    extra_label = ""
    if kind == "toll":
        name = more.choice(TOLLS)
        price = more.choice((180, 260, 390, 540, 870, 1240, 2150, 3620))
        body += [("text", f"Gare de peage {more.choice(('NORD', 'SUD', 'EST', 'OUEST'))}"),
                 ("text", f"Classe {more.randint(1, 2)}"), ("text", _row("Montant", money(price)))]
        by_rate["20"] = price
        category = "parking"
    elif kind == "bakery":
        name = more.choice(BAKERIES)
        for bread, unit in more.sample(BREADS, more.randint(2, 4)):
            qty = more.randint(1, 4)
            body.append(("text", _row(f"{qty} {bread}", money(qty * unit))))
            by_rate["5.5"] = by_rate.get("5.5", 0) + qty * unit
        category = "meal"
    elif kind == "restaurant":
        name = rng.choice(RESTAURANTS)
        for dish, rate in rng.sample(DISHES, rng.randint(3, 6)):
            qty = rng.randint(1, 3)
            unit = rng.randint(250, 2400)
            body.append(("text", _row(f"{qty} {dish}", money(qty * unit))))
            by_rate[rate] = by_rate.get(rate, 0) + qty * unit
        category = "meal"
    elif kind == "hotel":
        name = rng.choice(HOTELS)
        nights, price = rng.randint(1, 4), rng.randint(6500, 13900)
        body.append(("text", _row(f"Nuitee x{nights} a {money(price)}", money(nights * price))))
        by_rate["10"] = nights * price
        if rng.random() < 0.6:
            bk = rng.randint(900, 1600) * nights
            body.append(("text", _row(f"Petit dejeuner x{nights}", money(bk))))
            by_rate["10"] += bk
        tax = rng.choice((88, 110, 165, 250)) * nights
        body.append(("text", _row(f"Taxe de sejour x{nights}", money(tax))))
        extra_no_vat = tax
        category = "lodging"
    elif kind == "train":
        name = "SNCF"
        a, b = rng.sample(["PARIS GARE DE LYON", "LYON PART DIEU", "LILLE EUROPE", "NANTES",
                           "BORDEAUX ST JEAN", "MARSEILLE ST CHARLES", "RENNES", "STRASBOURG"], 2)
        price = rng.randint(1900, 14900)
        body += [("text", "BILLET TGV INOUI"), ("text", f"{a}"), ("text", f"-> {b}"),
                 ("text", f"Voiture {rng.randint(1, 18)} Place {rng.randint(1, 99)}"),
                 ("text", _row("1 Adulte 2nde classe", money(price)))]
        by_rate["10"] = price
        category = "train"
    elif kind == "taxi":
        name = rng.choice(TAXIS)
        km = rng.randint(3, 40)
        price = 420 + km * rng.randint(110, 190)
        body += [("text", f"Course {km} km parcourus"), ("text", _row("Prix course", money(price)))]
        by_rate["10"] = price
        category = "taxi"
    else:
        name = rng.choice(FUELS)
        litres = Decimal(rng.randint(1500, 6000)) / 100
        unit = Decimal(rng.randint(1650, 1990)) / 1000
        price = cents(litres * unit)
        product = rng.choice(("GAZOLE", "SP95-E10", "SP98"))
        body += [("text", f"Pompe {rng.randint(1, 12)} {product}"),
                 ("text", f"{litres:.2f} L x {unit:.3f} EUR/L".replace(".", ",")),
                 ("text", _row("Montant", money(price)))]
        by_rate["20"] = price
        category = "fuel"
    if richer:
        name = ACCENTED.get(name, name) if more.random() < 0.6 else name
        if kind == "restaurant" and more.random() < 0.35:
            extra_no_vat = more.choice((100, 150, 200, 300, 500))
            extra_label = more.choice(("Pourboire", "Service (pourboire)"))
    total = sum(by_rate.values()) + extra_no_vat
    date_truth, date_text = _date(rng)
    lines = _header(rng, name)
    lines.append(("text", date_text))
    lines.append(("text", "-" * WIDTH_CHARS))
    lines += body
    lines.append(("text", "-" * WIDTH_CHARS))
    table, vat_rows, total_ht = _vat_block(rng, by_rate)
    label = rng.choice(("TOTAL TTC", "TOTAL", "NET A PAYER", "TOTAL EUR"))
    if extra_label:  # a tip outside the VAT table, inside the total
        lines.append(("text", _row(extra_label, money(extra_no_vat))))
    lines.append(("bold", _row(label, money(total) + (" EUR" if rng.random() < 0.4 else ""))))
    if rng.random() < 0.6:
        lines.append(("text", _row("TOTAL HT", money(total_ht))))
    lines += [("text", t) for t in table]
    pay = rng.choice(("CB", "CARTE BANCAIRE", "CB SANS CONTACT", "ESPECES"))
    if pay == "ESPECES":
        given = ((total // 1000) + 1) * 1000
        lines += [("text", _row("ESPECES", money(given))),
                  ("text", _row("RENDU", money(given - total)))]
    else:
        lines.append(("text", _row(pay, money(total))))
    lines.append(("center", rng.choice(("Merci de votre visite", "A bientot", "Bonne route !"))))
    receipt = Receipt(kind, name, lines, total, date_truth, vat_rows)
    receipt.kind = category
    return receipt


def draw(receipt: Receipt, rng: random.Random) -> Image.Image:
    idx = rng.randrange(len(FONT_FILES))
    size = rng.randint(20, 26)

    def font(name: str, s: int) -> ImageFont.FreeTypeFont:
        for d in FONT_DIRS:
            if (d / name).exists():
                return ImageFont.truetype(str(d / name), s)
        return ImageFont.load_default(s)

    regular, bold = font(FONT_FILES[idx], size), font(BOLD_FILES[idx], size)
    title = font(BOLD_FILES[idx], int(size * 1.4))
    char_w = regular.getlength("M") if "Mono" in FONT_FILES[idx] else regular.getlength("0")
    width = int(char_w * WIDTH_CHARS + 60)
    line_h = int(size * 1.45)
    height = line_h * (len(receipt.lines) + 3) + 80
    tint = rng.randint(235, 255)
    img = Image.new("L", (width, height), tint)
    d = ImageDraw.Draw(img)
    y = 40
    ink = rng.randint(0, 60)
    for style, text in receipt.lines:
        f = title if style == "title" else bold if style == "bold" else regular
        w = f.getlength(text)
        x = (width - w) / 2 if style in ("title", "center") else 30
        d.text((x, y), text, font=f, fill=ink)
        y += int(line_h * (1.5 if style == "title" else 1))
    return img


def _background(rng: random.Random, w: int, h: int) -> np.ndarray:
    base = rng.randint(30, 140)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 12, (h // 8 + 1, w // 8 + 1))
    small = (base + noise).clip(0, 255).astype(np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def photograph(paper: Image.Image, rng: random.Random, level: int) -> Image.Image:
    """Put the paper on a table and distort it: level 0 clean scan … 3 hard photo."""
    arr = np.asarray(paper, dtype=np.uint8)
    np_rng = np.random.default_rng(rng.randint(0, 2**31))
    if level == 0:
        return paper.convert("RGB")
    h, w = arr.shape
    if level >= 2:  # crumple-like warping: smooth random displacement
        amp = rng.uniform(2, 6)
        field_x = cv2.resize(np_rng.normal(0, amp, (6, 4)).astype(np.float32), (w, h),
                             interpolation=cv2.INTER_CUBIC)
        field_y = cv2.resize(np_rng.normal(0, amp, (6, 4)).astype(np.float32), (w, h),
                             interpolation=cv2.INTER_CUBIC)
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        arr = cv2.remap(arr, gx + field_x, gy + field_y, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    margin = int(max(w, h) * 0.25)
    cw, ch = w + 2 * margin, h + 2 * margin
    canvas = _background(rng, cw, ch)
    angle = rng.uniform(-6, 6) if level < 3 else rng.uniform(-12, 12)
    jitter = 0.02 * level
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = src + margin + np_rng.uniform(-jitter, jitter, (4, 2)).astype(np.float32) * [w, h]
    centre = dst.mean(axis=0)
    rot = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    dst = (np.hstack([dst, np.ones((4, 1), np.float32)]) @ rot.T).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(arr, matrix, (cw, ch), borderValue=0)
    mask = cv2.warpPerspective(np.full_like(arr, 255), matrix, (cw, ch), borderValue=0)
    out = np.where(mask > 0, warped, canvas).astype(np.float32)
    if level >= 2:  # shadow: a soft linear gradient over part of the photo
        gx = np.linspace(0, 1, cw, dtype=np.float32)[None, :]
        gy = np.linspace(0, 1, ch, dtype=np.float32)[:, None]
        a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
        grad = np.clip(a * gx + b * gy + rng.uniform(-0.3, 0.6), 0, 1)
        out *= 1 - rng.uniform(0.2, 0.45) * grad
    out += np_rng.normal(0, 2 + 2 * level, out.shape)
    img = Image.fromarray(out.clip(0, 255).astype(np.uint8))
    blur = rng.uniform(0, 0.6 * level)
    if blur > 0.2:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    scale = rng.uniform(0.55, 0.9)
    img = img.resize((int(cw * scale), int(ch * scale)), Image.Resampling.LANCZOS)
    tinted = Image.merge("RGB", [img.point(lambda v, k=k: min(255, int(v * k)))
                                 for k in (1.0, rng.uniform(0.95, 1.0), rng.uniform(0.88, 0.98))])
    return tinted


def render_receipt(seed: int) -> tuple[Image.Image, dict[str, object]]:
    """The photo and ground truth for one seed (same seed → same bytes)."""
    rng = random.Random(seed * 7919 + 17)
    receipt = build(seed)
    paper = draw(receipt, rng)
    level = seed % 4
    photo = photograph(paper, rng, level)
    if seed % 17 == 5:
        photo = photo.rotate(180)
    truth = {
        "company": receipt.merchant,
        "date": receipt.date,
        "total": f"{receipt.total // 100}.{receipt.total % 100:02d}",
        "vat": receipt.vat,
        "category": receipt.kind,
        "distortion_level": level,
        "upside_down": seed % 17 == 5,
    }
    return photo, truth


def write_set(out: Path, count: int = 100, start: int = 0) -> Path:
    """Write ``count`` receipts as ``img/NNN.jpg`` + ``key/NNN.json`` under ``out``."""
    (out / "img").mkdir(parents=True, exist_ok=True)
    (out / "key").mkdir(parents=True, exist_ok=True)
    for seed in range(start, start + count):
        photo, truth = render_receipt(seed)
        photo.save(out / "img" / f"{seed:03d}.jpg", quality=88)
        (out / "key" / f"{seed:03d}.json").write_text(json.dumps(truth, indent=1))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    write_set(args.out, args.count)
