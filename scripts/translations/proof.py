"""Vietnamese for the strings of the proof work (issue 9): input hygiene, accessibility."""

VI = {
    "What was sent contains invisible control characters, which no keyboard types. "
    "Please type the text again instead of pasting it.": (
        "Dữ liệu gửi lên có ký tự điều khiển vô hình mà không bàn phím nào gõ ra. "
        "Vui lòng gõ lại nội dung thay vì dán vào."
    ),
    "Someone else has just decided on this request; it is shown as it now stands.": (
        "Người khác vừa xử lý yêu cầu này; trang đang hiển thị tình trạng mới nhất."
    ),
}
