"""The words of the browser's pages, in Thai and English; `t` picks the language of the request."""

from __future__ import annotations

from flask import g

from pipeline.render import thai

UI = {
    "app": ("ร่างบันทึกข้อตกลงการเปิดให้ภาคส่วนอื่นร่วมจัดบริการสาธารณะ", "Drafting agreements for public-service partnerships"),
    "list": ("บันทึกข้อตกลงทั้งหมด", "All agreements"),
    "new": ("เริ่มบันทึกข้อตกลงใหม่", "Start a new agreement"),
    "name": ("ชื่อไฟล์ (ภาษาไทยหรืออังกฤษ ไม่มีช่องว่าง)", "File name (Thai or English, no spaces)"),
    "create": ("สร้าง", "Create"),
    "title": ("เรื่อง", "Title"),
    "model": ("รูปแบบ", "Model"),
    "changed": ("แก้ไขล่าสุด", "Last changed"),
    "state": ("สถานะ", "State"),
    "problems": ("ปัญหา", "Problems"),
    "in_progress": ("กำลังกรอก", "in progress"),
    "checked": ("ผ่านการตรวจ", "checked"),
    "draft": ("สร้างร่างแล้ว", "draft built"),
    "final": ("ฉบับจริง", "final"),
    "save_next": ("บันทึกและไปต่อ", "Save and continue"),
    "add_row": ("เพิ่มแถว", "Add a row"),
    "delete": ("ลบ", "Delete"),
    "review": ("ตรวจทานและสร้างร่าง", "Review and draft"),
    "preview": ("ดูร่าง (PDF)", "Preview the draft (PDF)"),
    "errors": ("มีคำตอบที่ต้องแก้ไข ดูข้อความใต้ช่อง", "Some answers need fixing: see below each field"),
    "one_per_line": ("บรรทัดละหนึ่งรายการ", "one item per line"),
    "understood": ("เข้าใจว่า", "understood as"),
    "choose_model": ("เลือกรูปแบบ", "choose a model"),
    "model_needed": (
        "เลือกรูปแบบความร่วมมือ (ดูคำแนะนำและเหตุผลด้านบน)",
        "choose the partnership model (see the recommendation and its reasons above)",
    ),
    "sign_confirm_needed": (
        "ยังไม่ได้บันทึก: ติ๊กยืนยันว่าบันทึกข้อตกลงนี้ลงนามแล้วตามข้อมูลที่กรอก",
        "Not recorded: tick the box confirming the agreement was signed as entered",
    ),
    "signed_corrected": (
        "แก้ไขการบันทึกการลงนามแล้ว (ประวัติเก็บค่าก่อนหน้าไว้)",
        "The signing record was corrected (the history keeps the earlier one)",
    ),
    "signed_other_day": (
        "คำเตือน: วันที่ลงนามต่างจากวันที่ที่ระบุในบันทึกข้อตกลง ({date})",
        "Warning: the signing date differs from the date the agreement states ({date})",
    ),
    "signed_no_copy": ("ยังไม่ได้แนบสำเนาที่ลงนามแล้ว", "no signed copy is attached yet"),
    "copy_too_big": ("ไฟล์สำเนาใหญ่เกิน ๓๐ เมกะไบต์", "the signed copy is larger than 30 MB"),
    "copy_not_a_copy": ("สำเนาที่ลงนามต้องเป็นไฟล์ PDF, JPEG หรือ PNG", "the signed copy must be a PDF, JPEG or PNG file"),
    "sign_place": ("สถานที่ลงนาม", "Place of signing"),
    "sign_copy": ("สำเนาที่ลงนามแล้ว (PDF หรือภาพสแกน)", "The signed copy (PDF or a scan)"),
    "sign_confirm": ("ยืนยันว่าบันทึกข้อตกลงนี้ลงนามแล้วตามข้อมูลข้างต้น", "I confirm the agreement was signed as entered above"),
    "sign_correct": ("แก้ไขการบันทึกการลงนาม", "Correct the signing record"),
    "signed_copy": ("สำเนาที่ลงนามแล้ว", "Signed copy"),
    "stated_date": ("วันที่ในบันทึกข้อตกลง", "Date stated in the agreement"),
    "read_only": (
        "บันทึกข้อตกลงนี้ลงนามแล้ว หน้านี้อ่านได้อย่างเดียว การเปลี่ยนแปลงทำโดยบันทึกข้อตกลงแก้ไขเพิ่มเติม",
        "This agreement is signed: this page is read-only; changes are made by an amendment",
    ),
    "after_signing": ("หลังลงนาม", "After signing"),
    "sla_year": ("ข้อตกลงระดับการให้บริการ ปีที่", "Service level agreement, year"),
    "sla_add": ("เพิ่ม SLA ปีถัดไป", "Add the next year's SLA"),
    "sla_start": ("วันเริ่มต้น", "Start"),
    "sla_end": ("วันสิ้นสุด (ไม่เกิน ๑๒ เดือน)", "End (at most 12 months)"),
    "sla_review": ("ความถี่ในการทบทวน", "Review"),
    "sla_lead_delegator": ("ผู้ประสานงานหลักฝ่ายผู้มอบภารกิจ", "Delegator's lead"),
    "sla_lead_partner": ("ผู้ประสานงานหลักฝ่ายผู้รับมอบภารกิจ", "Partner's lead"),
    "sla_services": (
        "บริการ บรรทัดละหนึ่งบริการ: ชื่อ | รายละเอียด | มาตรฐาน",
        "Services, one a line: name | description | standard",
    ),
    "sla_escalation": ("ขั้นตอนการยกระดับปัญหา บรรทัดละหนึ่งขั้น", "Escalation, one step a line"),
    "sla_remedy": ("มาตรการเยียวยา", "Remedy"),
    "sla_place": ("สถานที่ลงนาม (ถ้าทราบแล้ว)", "Place of signing (if known)"),
    "sla_date": ("วันที่ลงนาม (ถ้าทราบแล้ว)", "Date of signing (if known)"),
    "sla_save": ("บันทึก SLA ปีนี้", "Save this year's SLA"),
    "sla_saved": ("บันทึก SLA ปีที่ {year} แล้ว", "The SLA of year {year} is saved"),
    "sla_build": ("สร้างเอกสาร SLA", "Build the SLA document"),
    "sla_built": ("สร้างเอกสาร SLA ปีที่ {year} แล้ว", "The SLA of year {year} is built"),
    "amend_start": ("เริ่มทำบันทึกข้อตกลงแก้ไขเพิ่มเติม", "Start an amendment"),
    "amend_started": ("ฉบับแก้ไขที่เริ่มไว้", "Amendments started"),
    "amendment": ("บันทึกข้อตกลงแก้ไขเพิ่มเติม", "Amendment"),
    "amendment_of": ("แก้ไขเพิ่มเติมบันทึกข้อตกลง", "Amends the agreement"),
    "amendment_date": ("วันที่ลงนามบันทึกข้อตกลงแก้ไขเพิ่มเติม", "Date the amendment is signed"),
    "amendment_build": ("สร้างบันทึกข้อตกลงแก้ไขเพิ่มเติม", "Build the amendment"),
    "amendment_built": ("สร้างบันทึกข้อตกลงแก้ไขเพิ่มเติมแล้ว", "The amendment is built"),
    "legal_finalises": ("นิติกรเป็นผู้สร้างฉบับจริง", "a legal officer builds the final"),
    "draft_only": ("ฉบับร่าง", "draft"),
    "skip": ("ข้ามไปยังเนื้อหา", "Skip to the content"),
    "required": ("ต้องตอบ", "required"),
    "owner": ("ผู้รับผิดชอบ", "Owner"),
    "clash": (
        "มีผู้บันทึกข้อนี้ไว้แล้วระหว่างที่คุณแก้ไข เลือกค่าที่จะใช้ในแต่ละข้อ แล้วบันทึกอีกครั้ง (ข้ออื่นที่คุณแก้ไขบันทึกแล้ว)",
        "Someone saved these fields while you were editing: choose which value to keep for each, then save again "
        "(your other changes are saved)",
    ),
    "keep_stored": ("ใช้ค่าที่บันทึกไว้แล้ว", "keep the value saved"),
    "conflict": (
        "มีการแก้ไขบันทึกข้อตกลงนี้จากหน้าต่างอื่นหลังจากที่คุณเปิดหน้านี้ คำตอบของคุณยังไม่ได้บันทึก",
        "This agreement was changed in another window after you opened this page; your answers were not saved",
    ),
    "keep_mine": ("บันทึกคำตอบของฉันทับ", "Save mine over them"),
    "reload": ("โหลดฉบับล่าสุด", "Load the latest"),
    "no_problems": ("ผ่านการตรวจทุกข้อ พร้อมสร้างร่าง", "Passes every rule: ready for a draft"),
    "fix_first": ("ต้องแก้ไขก่อนจึงจะสร้างร่างได้", "To fix before a draft can be made"),
    "download": ("ดาวน์โหลด", "Download"),
    "build_final": ("สร้างฉบับจริง (ไม่มีคำว่าร่าง)", "Build the final (unmarked)"),
    "run_batch": ("สร้างใหม่ทุกฉบับที่มีการเปลี่ยนแปลง", "Rebuild every agreement that changed"),
    "report": ("รายงานการสร้าง", "Build report"),
    "back": ("กลับ", "Back"),
    "recommended": ("รูปแบบที่แนะนำ", "Recommended model"),
    "language": ("ภาษาของบันทึกข้อตกลง", "Language of the agreement"),
    "yes": ("ใช่", "yes"),
    "no": ("ไม่", "no"),
    "none": ("—", "—"),
    "sum": ("รวม", "total"),
    "of": ("จาก", "of"),
    "warnings": ("คำเตือน", "Warnings"),
    "answers": ("คำตอบ", "Answers"),
    "csrf": (
        "แบบฟอร์มนี้ไม่ได้มาจากหน้าของโปรแกรม หรือหมดอายุแล้ว กรุณาเปิดหน้าใหม่แล้วลองอีกครั้ง",
        "This form did not come from this application's page, or it has expired: open the page again and retry",
    ),
    "exists": ("มีบันทึกข้อตกลงชื่อนี้แล้ว", "an agreement of that name exists"),
    "bad_name": ("ชื่อใช้ไม่ได้ ใช้ตัวอักษร ตัวเลข - _ . ไม่มีช่องว่าง", "not a usable name: letters, digits, - _ . and no spaces"),
    "not_found": ("ไม่พบบันทึกข้อตกลงนี้", "No such agreement"),
    "page_of": ("หน้า", "page"),
    "final_built": ("สร้างฉบับจริงแล้ว", "The final is built"),
    "login": ("เข้าสู่ระบบ", "Log in"),
    "logout": ("ออกจากระบบ", "Log out"),
    "user_name": ("ชื่อผู้ใช้", "User name"),
    "password": ("รหัสผ่าน", "Password"),
    "bad_login": ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong user name or password"),
    "slow_down": (
        "ลองเข้าสู่ระบบผิดหลายครั้ง กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many failed logins: wait {seconds} s and try again",
    ),
    "history": ("ประวัติการแก้ไข", "History of changes"),
    "who": ("ผู้แก้ไข", "By"),
    "when": ("เมื่อ", "When"),
    "what": ("สิ่งที่เปลี่ยน", "What changed"),
    "sign": ("บันทึกว่าลงนามแล้ว", "Record the signing"),
    "signed_on": ("ลงนามเมื่อ", "Signed on"),
    "signed_done": (
        "บันทึกการลงนามแล้ว ฉบับนี้จะไม่ถูกสร้างใหม่อีก",
        "The signing is recorded: this agreement will not be regenerated",
    ),
    "bad_date": ("วันที่ไม่ถูกต้อง", "Not a date"),
    "name_taken": ("ชื่อนี้ใช้ไม่ได้ กรุณาเลือกชื่ออื่น", "That name cannot be used: choose another"),
    "forbidden": ("การทำรายการนี้สำหรับนิติกรเท่านั้น", "Only a legal officer may do this"),
    "not_now": (
        "ยังทำรายการนี้ไม่ได้ บันทึกข้อตกลงยังไม่ครบถ้วนหรือลงนามแล้ว",
        "Not possible now: the agreement is incomplete or already signed",
    ),
    "signed_state": ("ลงนามแล้ว", "signed"),
    "amend_instead": (
        "บันทึกข้อตกลงนี้ลงนามแล้ว แก้ไขได้โดยทำบันทึกข้อตกลงแก้ไขเพิ่มเติม (mou amend) คำตอบไม่ได้บันทึก",
        "This agreement is signed: change it through an amendment (mou amend); your answers were not saved",
    ),
    "mine": ("บันทึกข้อตกลงของฉัน", "My agreements"),
    "amend_hint": ("การแก้ไขหลังลงนามทำโดยบันทึกข้อตกลงแก้ไขเพิ่มเติม", "changes after signing go through an amendment"),
}


def t(key: str) -> str:
    th, en = UI[key]
    return th if g.lang == "th" else en


# -- the workspace ---------------------------------------------------------------------------------------------------


def digits(text) -> str:
    return thai.thai_digits(str(text)) if g.lang == "th" else str(text)
