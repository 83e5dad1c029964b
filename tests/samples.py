"""Small genuine files of each accepted kind, and fakes that only carry the name."""

import io
import zipfile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_MAIN_PART = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
PDF = b"%PDF-1.4 \xe6\x96\xb9\xe6\xa1\x88 contents"
OLE2 = OLE2_MAGIC + b"\x00" * 504  # the Compound File header of old Office and WPS documents
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(ext: str) -> bytes:
    """A .docx/.xlsx/.pptx: a zip whose [Content_Types].xml names the document's main part."""
    types = b'<Types><Override PartName="/main.xml" ContentType="' + OOXML_MAIN_PART[ext] + b'"/></Types>'
    return zipped({"[Content_Types].xml": types, "main.xml": b"<x/>"})


OFD = zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
ZIP = zipped({"材料/说明.txt": "说明".encode()})

GENUINE = {
    "pdf": PDF,
    "doc": OLE2,
    "xls": OLE2,
    "ppt": OLE2,
    "wps": OLE2,
    "docx": ooxml("docx"),
    "xlsx": ooxml("xlsx"),
    "pptx": ooxml("pptx"),
    "ofd": OFD,
    "zip": ZIP,
    "txt": "会议材料：关于调整实训设备采购计划。".encode(),
    "jpg": JPG,
    "jpeg": JPG,
    "png": PNG,
}
