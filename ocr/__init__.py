"""Receipt photos to expense fields (lecture des justificatifs), pure: no web, no database.

Pipeline (``ocr.pipeline.read_receipt``): safe loading (``loading``) → quality gate, crop,
deskew, dark margins cut, scale, light flattening (``preprocess``) → Tesseract fra+eng, LSTM,
in-process, one thread, time limit, one orientation retry (``engine``); large header print the
page pass dropped is read again on its own (``header``) → candidates and scores per field
(``extract``; the total in ``totals`` with the receipt's own sums, the merchant in ``merchant``
and ``merchant_names``, damaged dates in ``damaged_dates``) → arithmetic checks and auto-accept
(``checks``) and the reasons a person should look (``review``). By default a cascade: RapidOCR
(``rapid``, PaddleOCR models on ONNX Runtime) reads again the receipts Tesseract's reading
leaves to review, and the two readings are merged field by field (``merge``); on a reading
Tesseract got accepted, RapidOCR's recogniser reads the header's lines and the date's line
again and corrects misread letters and digits (``merchant_check``, ``date_check``). Run it through
``ocr.isolation.OcrWorker`` for a wall-clock limit and a memory cap. Duplicates:
``ocr.duplicates``; what a reading may write into a draft line: ``ocr.draft_fill``; error codes
with FR/EN messages: ``ocr.errors``.
"""
