"""The words of the browser's pages, in Thai and English; `t` picks the language of the request."""

from __future__ import annotations

import re

from flask import g

from pipeline.errors import Message
from pipeline.render import thai
from pipeline.store.state import WORDS as STATE_WORDS

# Every word the browser says, in Thai and English: a Message each (errors.Message), said in the page's language.
_WORDS = {
    **{state.value: words for state, words in STATE_WORDS.items()},  # the states' words: store/state.py
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
    "copy_unreadable": (
        "เปิดไฟล์สำเนาที่ลงนามไม่ได้ (ไฟล์เสียหรือไม่ครบ) กรุณาสแกนหรือบันทึกใหม่แล้วแนบอีกครั้ง",
        "the signed copy cannot be opened (damaged or cut short): scan or save it again and attach it again",
    ),
    "too_long": (
        "ข้อมูลที่ส่งมายาวเกินไป ({n:,} ตัวอักษรในช่องเดียว) ช่องหนึ่งรับได้ไม่เกิน {limit:,} ตัวอักษร",
        "a value sent is too long ({n:,} characters in one field): a field takes at most {limit:,}",
    ),
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
    "why": ("เหตุผล", "Why"),
    "report_text": ("รายงานฉบับเต็ม (ข้อความ)", "The full report (text)"),
    "batch_built": ("สร้างใหม่", "built"),
    "batch_unchanged": ("ไม่เปลี่ยน", "unchanged"),
    "batch_failed": ("ไม่สำเร็จ", "failed"),
    "batch_kept": ("ไม่เขียนทับ", "kept"),
    "batch_signed": ("ลงนามแล้ว", "signed"),
    "batch_deleted": ("ข้อกำหนดถูกลบ", "spec deleted"),
    "batch_pruned": ("ลบผลลัพธ์แล้ว", "outputs removed"),
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
    "no_page": ("ไม่พบหน้านี้หรือไฟล์นี้", "No such page or file"),
    "page_of": ("หน้า", "page"),
    "final_built": ("สร้างฉบับจริงแล้ว", "The final is built"),
    "build_queued": (
        "รับคำขอแล้ว กำลังสร้างเอกสารตามลำดับคิว หน้านี้จะปรับปรุงเองเมื่อเสร็จ",
        "Asked: the document is being built in its turn; this page updates itself when it is ready",
    ),
    "building_now": ("กำลังสร้าง: {what}", "Being built: {what}"),
    "draft_ready": ("สร้างร่างแล้ว", "The draft is built"),
    "batch": ("การสร้างเอกสารทุกฉบับในพื้นที่ทำงาน", "the batch of the whole workspace"),
    "page_refreshes": (
        "หน้านี้จะโหลดใหม่ทุก ๒ วินาทีจนกว่าจะเสร็จ (ไม่ต้องกดซ้ำ)",
        "This page reloads every 2 seconds until it is done (no need to ask again)",
    ),
    "busy_mine": (
        "คุณมีเอกสารที่รอสร้างอยู่แล้ว ๒ รายการ กรุณารอให้เสร็จก่อนแล้วค่อยขอใหม่",
        "You already have 2 documents waiting to be built: wait for them, then ask again",
    ),
    "busy_office": (
        "ขณะนี้มีเอกสารรอสร้างจำนวนมาก กรุณาลองใหม่ในอีกสักครู่",
        "Many documents are waiting to be built: try again in a moment",
    ),
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
    "future_date": (
        "ยังไม่ได้บันทึก: {date} ยังมาไม่ถึง (บันทึกได้เมื่อดำเนินการแล้ว)",
        "Not recorded: {date} has not come yet (record it once it is done)",
    ),
    "name_taken": ("ชื่อนี้ใช้ไม่ได้ กรุณาเลือกชื่ออื่น", "That name cannot be used: choose another"),
    "forbidden": ("การทำรายการนี้สำหรับนิติกรเท่านั้น", "Only a legal officer may do this"),
    "session_ended": (
        "ยังไม่ได้บันทึก: การเข้าระบบสิ้นสุดแล้ว (ออกจากระบบ หมดเวลา หรือบัญชีถูกระงับ) กรุณาเข้าระบบใหม่ สิ่งที่พิมพ์ไว้อยู่ด้านล่าง",
        "Not saved: your session has ended (logged out, timed out, or the account disabled); sign in again. What you "
        "typed is below",
    ),
    "what_you_typed": ("สิ่งที่พิมพ์ไว้", "What you typed"),
    "not_now": (
        "ยังทำรายการนี้ไม่ได้ บันทึกข้อตกลงยังไม่ครบถ้วนหรือลงนามแล้ว",
        "Not possible now: the agreement is incomplete or already signed",
    ),
    "redline": (
        "สิ่งที่การแก้ไขเพิ่มเติมจะเปลี่ยน (ข้อความที่ตัดออกขีดฆ่า ข้อความที่เพิ่มขีดเส้นใต้)",
        "What the amendment changes (removed text struck through, added text underlined)",
    ),
    "redline_none": ("ยังไม่มีการเปลี่ยนแปลง หรือข้อมูลยังกรอกไม่ครบ", "nothing changed yet, or the answers are not complete"),
    "copy_other_spec": (
        "ไฟล์ PDF นี้สร้างจากข้อกำหนดอื่น (รหัส {theirs}…) ไม่ใช่ของบันทึกข้อตกลงนี้ (รหัส {ours}…) จึงไม่บันทึก",
        "This PDF was built from another spec (hash {theirs}…), not this agreement's ({ours}…): not recorded",
    ),
    "copy_signature_broken": (
        "ลายมือชื่ออิเล็กทรอนิกส์ของ {roles} ไม่ถูกต้อง ใบรับรองถูกเพิกถอน หรือเอกสารถูกแก้ไขหลังลงนาม จึงไม่บันทึก",
        "The digital signature of {roles} is not intact, its certificate is revoked, or the document was changed after "
        "it: not recorded",
    ),
    "copy_no_signature": (
        "ไฟล์ PDF นี้ไม่มีลายมือชื่ออิเล็กทรอนิกส์เลย (เช่น ฉบับจริงที่ยังไม่ได้ลงนาม) จึงไม่บันทึก "
        "หากเป็นไฟล์สแกนของฉบับกระดาษที่ลงนามแล้ว ให้ติ๊ก “เป็นไฟล์สแกนของฉบับที่ลงนามบนกระดาษ”",
        "This PDF carries no digital signature at all (the unsigned final, for instance): not recorded. If it is a "
        "scan of the paper copy signed by hand, tick “a scan of the copy signed on paper”",
    ),
    "sign_scan": ("เป็นไฟล์สแกนของฉบับที่ลงนามบนกระดาษ", "a scan of the copy signed on paper"),
    "signed_scan_unverified": (
        "บันทึกไฟล์สแกนด้วยค่า sha256 เท่านั้น ไม่ได้ตรวจลายมือชื่อใด ๆ",
        "the scan is recorded by its sha256 alone: no signature on it was verified",
    ),
    "signed_fields_empty": (
        "คำเตือน: มีช่องลงนาม {n} ช่องที่ยังว่างอยู่ (ดูผลการตรวจด้านล่าง)",
        "warning: {n} signature fields are still empty (see the verification below)",
    ),
    "copy_identity_unverified": (
        "คำเตือน: ยังไม่ได้ยืนยันตัวตนผู้ลงนาม {roles} กับผู้ออกใบรับรองที่สำนักงานเชื่อถือ (trust ในการตั้งค่า)",
        "warning: the identity of {roles} is not verified against a CA the office trusts (`trust` in the settings)",
    ),
    "copy_fields_added": (
        "มีช่องลงนามที่เพิ่มหลังจากสร้างเอกสาร ({roles}) จึงไม่บันทึก",
        "Signature fields were added after the document was built ({roles}): not recorded",
    ),
    "copy_not_as_built": (
        "ไฟล์ก่อนลายมือชื่อแรกไม่ใช่ฉบับจริงที่สร้างไว้ในระบบ (ถูกแก้ไขก่อนลงนาม) จึงไม่บันทึก",
        "The file before the first signature is not a final built here (it was changed before it was signed): not recorded",
    ),
    "signed_digitally": ("ตรวจลายมือชื่ออิเล็กทรอนิกส์แล้ว {n} รายการ", "{n} digital signatures verified"),
    "digital_signers": ("ลายมือชื่ออิเล็กทรอนิกส์ที่บันทึกไว้", "Digital signatures recorded"),
    "verification": ("ผลการตรวจลายมือชื่ออิเล็กทรอนิกส์", "Verification of the digital signatures"),
    "due": ("กำหนด", "Due"),
    "obligation": ("ภาระผูกพัน", "Obligation"),
    "calendar": ("ปฏิทินภาระผูกพันตามบันทึกข้อตกลง", "Calendar of obligations"),
    "users": ("ผู้ใช้งาน", "Users"),
    "user_role": ("บทบาท", "Role"),
    "role_coordinator": ("ผู้ประสานงาน", "coordinator"),
    "role_legal": ("นิติกร", "legal officer"),
    "user_set_role": ("เปลี่ยนบทบาท", "Change role"),
    "user_is_active": ("ใช้งานอยู่", "active"),
    "user_is_disabled": ("ระงับการใช้งาน", "disabled"),
    "user_disable": ("ระงับ", "Disable"),
    "user_enable": ("เปิดใช้งาน", "Enable"),
    "user_email": ("อีเมลสำหรับการแจ้งเตือน", "E-mail for reminders"),
    "user_save": ("บันทึก", "Save"),
    "user_owned": ("บันทึกข้อตกลงที่รับผิดชอบ", "Agreements owned"),
    "user_hand_to": ("โอนให้", "hand to"),
    "user_hand_over": ("โอนทั้งหมด", "Hand them all over"),
    "user_new_password": ("รหัสผ่านใหม่", "new password"),
    "user_reset_password": ("ตั้งรหัสผ่านใหม่", "Reset password"),
    "user_actions": ("รหัสผ่าน", "Password"),
    "user_add": ("เพิ่มผู้ใช้", "Add a user"),
    "user_password": ("รหัสผ่าน (อย่างน้อย 10 ตัวอักษร)", "Password (at least 10 characters)"),
    "user_added": ("เพิ่มผู้ใช้ {name} แล้ว", "{name} added"),
    "user_role_set": ("เปลี่ยนบทบาทของ {name} แล้ว (ต้องเข้าระบบใหม่)", "{name}'s role changed (they sign in again)"),
    "user_disabled": ("ระงับการใช้งานของ {name} แล้ว", "{name} disabled"),
    "user_enabled": ("เปิดใช้งาน {name} แล้ว", "{name} enabled"),
    "user_password_set": ("ตั้งรหัสผ่านใหม่ของ {name} แล้ว (ต้องเข้าระบบใหม่)", "{name}'s password reset (they sign in again)"),
    "user_email_set": ("บันทึกอีเมลของ {name} แล้ว", "{name}'s e-mail saved"),
    "user_handed_over": ("โอนบันทึกข้อตกลง {n} ฉบับของ {name} ให้ {to} แล้ว", "{n} agreements of {name} handed over to {to}"),
    "money_by_year": ("เงินของผู้มอบภารกิจตามปีงบประมาณ", "The delegator's money by fiscal year"),
    "fiscal_year": ("ปีงบประมาณ", "Fiscal year"),
    "committed": ("ผูกพันไว้ (บาท)", "Committed (baht)"),
    "committed_short": ("ผูกพัน", "committed"),
    "paid_short": ("จ่ายแล้ว", "paid"),
    "money_chart": ("เงินที่ผูกพันและจ่ายแล้วตามปีงบประมาณ", "Money committed and paid by fiscal year"),
    "months_ahead": ("สิบสองเดือนข้างหน้า", "The twelve months ahead"),
    "milestone_passed": ("ผ่านไปแล้ว (ถึงกำหนดโดยไม่ต้องดำเนินการ)", "passed (a date, nothing to do)"),
    "milestone_ahead": ("วันสำคัญ (ไม่ต้องบันทึกว่าดำเนินการ)", "a date to know (nothing to mark done)"),
    "items": ("รายการ", "due"),
    "paid": ("จ่ายแล้ว (บาท)", "Paid (baht)"),
    "owed": ("คงค้าง (บาท)", "Still to pay (baht)"),
    "overdue": ("เลยกำหนด", "Overdue"),
    "pending_obligation": ("ยังไม่ถึงกำหนด / รอดำเนินการ", "to come"),
    "mark_done": ("บันทึกว่าดำเนินการแล้ว", "Mark done"),
    "done_on": ("ดำเนินการเมื่อ", "done on"),
    "document_no": ("เลขที่หนังสือ/เอกสาร", "document no."),
    "note": ("หมายเหตุ", "note"),
    "undo": ("ยกเลิกการบันทึก", "Undo"),
    "obligation_done": ("บันทึกแล้ว", "Recorded"),
    "obligation_undone": ("ยกเลิกการบันทึกแล้ว", "Undone"),
    "no_obligations": (
        "ไม่มีภาระผูกพัน (เฉพาะบันทึกข้อตกลงที่บันทึกการลงนามแล้ว)",
        "No obligations (only agreements recorded as signed have them)",
    ),
    "agreement": ("บันทึกข้อตกลง", "Agreement"),
    "party": ("ผู้ดำเนินการ", "Who acts"),
    "kind": ("ประเภท", "Kind"),
    "all": ("ทั้งหมด", "all"),
    "filter": ("กรอง", "Filter"),
    "amount": ("จำนวนเงิน (บาท)", "Amount (baht)"),
    "party_delegator": ("ผู้มอบภารกิจ", "the delegator"),
    "party_partner": ("ผู้รับมอบภารกิจ", "the partner"),
    "party_both": ("ทั้งสองฝ่าย", "both parties"),
    "if_today": ("ถ้าลงวันที่วันนี้: ", "if dated today: "),
    "change_add": ("เพิ่มข้อ", "Added"),
    "change_replace": ("แก้ไขข้อ", "Replaced"),
    "change_remove": ("ยกเลิกข้อ", "Removed"),
    "amendment_no_final": (
        "สำเนาเพื่อแก้ไขเพิ่มเติมไม่มีฉบับจริงของตัวเอง: เอกสารที่ลงนามคือบันทึกข้อตกลงแก้ไขเพิ่มเติมด้านล่าง",
        "An amendment copy has no final of its own: what is signed is the amendment below",
    ),
    "amend_instead": (
        "บันทึกข้อตกลงนี้ลงนามแล้ว แก้ไขได้โดยทำบันทึกข้อตกลงแก้ไขเพิ่มเติม (mou amend) คำตอบไม่ได้บันทึก",
        "This agreement is signed: change it through an amendment (mou amend); your answers were not saved",
    ),
    "mine": ("บันทึกข้อตกลงของฉัน", "My agreements"),
    "amend_hint": ("การแก้ไขหลังลงนามทำโดยบันทึกข้อตกลงแก้ไขเพิ่มเติม", "changes after signing go through an amendment"),
}


UI: dict[str, Message] = {key: Message(*words) for key, words in _WORDS.items()}


def t(key: str) -> str:
    return UI[key].in_(g.lang)


# -- the workspace ---------------------------------------------------------------------------------------------------


# Digits that belong to a code stay Arabic in a Thai page: part of a word of Latin letters (sha256, a hash, PDF/A-2b)
# or after one and a colon (witness:1, supporter:2); numbers, dates and times become Thai digits.
_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?<![A-Za-z]:)\d+(?![A-Za-z0-9])")


# An English date quoted in a Thai page (the condition of an English agreement's instalment) keeps its digits:
# "30 June 2026", "June 30, 2026" — not "๓๐ June ๒๐๒๖".
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_ENGLISH_DATE = re.compile(rf"\b\d{{1,2}} (?:{_MONTH}) \d{{4}}\b|\b(?:{_MONTH}) \d{{1,2}}, \d{{4}}\b")


def digits(text) -> str:
    if g.lang != "th":
        return str(text)
    text = str(text)
    out, at = [], 0
    for m in _ENGLISH_DATE.finditer(text):
        out += [_NUMBER.sub(lambda n: thai.thai_digits(n.group(0)), text[at : m.start()]), m.group(0)]
        at = m.end()
    out.append(_NUMBER.sub(lambda n: thai.thai_digits(n.group(0)), text[at:]))
    return "".join(out)
