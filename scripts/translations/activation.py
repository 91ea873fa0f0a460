"""Vietnamese for the activation screens, the gate's reasons, API keys and the API (issue 7).

Apply with: .venv/bin/python scripts/add_translations.py scripts/translations/activation.py
"""

VI = {
    "Marketplace or payment provider": "Sàn TMĐT hoặc đơn vị thanh toán",
    "Asked on": "Ngày đăng ký",
    "Decided on": "Ngày xử lý",
    "Account id": "Mã gian hàng/tài khoản",
    "Account address": "Địa chỉ gian hàng",
    "To review": "Cần xem xét lại",
    "Waiting for a decision": "Chờ xử lý",
    "Approved, to activate": "Đã duyệt, chờ kích hoạt",
    "Activated": "Đã kích hoạt",
    "Refused": "Từ chối",
    "Closed": "Đã đóng",
    "Reason, in words the household understands": "Lý do (viết để hộ dễ hiểu)",
    "Please say why the request is refused.": "Vui lòng ghi lý do từ chối yêu cầu.",
    "Shop or account id": "Mã gian hàng hoặc tài khoản",
    "Please enter the shop or account id.": "Vui lòng nhập mã gian hàng hoặc tài khoản.",
    "Address of the shop (https://…)": "Địa chỉ gian hàng (https://…)",
    "Only accounts to review": "Chỉ tài khoản cần xem xét lại",
    "%(name)s is not opening new accounts at the moment.": "%(name)s hiện chưa mở tài khoản mới.",
    "No product eligible to list yet: a product needs an OCOP rating of %(stars)d stars or more, "
    "or a VietGAP, GlobalGAP, HACCP, ISO 22000 or food-safety certification that is still valid. "
    "Ask the commune office or your trainer to record the product's rating or certification.": (
        "Chưa có sản phẩm đủ điều kiện đưa lên sàn: cần OCOP từ %(stars)d sao trở lên hoặc chứng "
        "nhận VietGAP, GlobalGAP, HACCP, ISO 22000, an toàn thực phẩm còn hiệu lực. Hãy nhờ cán bộ "
        "xã hoặc giảng viên ghi nhận xếp hạng OCOP hoặc chứng nhận của sản phẩm."
    ),
    "The household's certificate %(serial)s was revoked (%(reason)s). Ask your trainer or the "
    "programme office to check it and issue it again.": (
        "Giấy chứng nhận %(serial)s của hộ đã bị thu hồi (%(reason)s). Hãy liên hệ giảng viên "
        "hoặc văn phòng chương trình để kiểm tra và cấp lại."
    ),
    "The household has no certificate: no training programme is open in its province yet. Ask "
    "your trainer when the classes start.": (
        "Hộ chưa có giấy chứng nhận: tỉnh chưa mở chương trình tập huấn. Hãy hỏi giảng viên khi "
        "nào lớp bắt đầu."
    ),
    "The household has completed the courses but its certificate is not issued yet. Ask your "
    "trainer to issue it.": (
        "Hộ đã hoàn thành các khóa học nhưng chưa được cấp giấy chứng nhận. Hãy nhờ giảng viên "
        "cấp giấy chứng nhận."
    ),
    "The household has not completed the course(s): %(courses)s. Finish the lessons (or attend a "
    "class session) and pass each course's quiz; the certificate is then issued at once.": (
        "Hộ chưa hoàn thành khóa học: %(courses)s. Hãy học hết các bài (hoặc dự một buổi tập "
        "huấn) và làm đạt bài kiểm tra của mỗi khóa; giấy chứng nhận sẽ được cấp ngay."
    ),
    "The household has already asked; the request is being handled.": (
        "Hộ đã đăng ký rồi; yêu cầu đang được xử lý."
    ),
    "Only an activated account can be closed.": "Chỉ đóng được tài khoản đã kích hoạt.",
    "The account is already activated.": "Tài khoản đã được kích hoạt.",
    "This request is not waiting for a decision.": "Yêu cầu này không ở trạng thái chờ xử lý.",
    "The id is too long (120 characters at most).": "Mã quá dài (tối đa 120 ký tự).",
    "The address is too long (500 characters at most).": "Địa chỉ quá dài (tối đa 500 ký tự).",
    "The request for %(name)s was sent. The postal staff will call you.": (
        "Đã gửi đăng ký %(name)s. Cán bộ bưu điện sẽ gọi điện cho hộ."
    ),
    "The request was approved.": "Đã duyệt yêu cầu.",
    "The account was marked activated.": "Đã ghi nhận tài khoản được kích hoạt.",
    "The account was marked closed.": "Đã ghi nhận tài khoản bị đóng.",
    "Not yet possible for %(name)s:": "Chưa thể mở %(name)s:",
    "Activation requests": "Yêu cầu kích hoạt",
    "The request was refused; the household sees the reason.": (
        "Đã từ chối yêu cầu; hộ sẽ thấy lý do."
    ),
    "Open a shop": "Đăng ký mở gian hàng",
    "Shops and payment accounts": "Gian hàng và tài khoản thanh toán",
    "E-commerce marketplace: your shop": "Sàn TMĐT: gian hàng của hộ",
    "Online-payment account": "Tài khoản thanh toán trực tuyến",
    "Why not yet, and what to do:": "Vì sao chưa được, và cần làm gì:",
    "To review: the household's certificate was revoked": (
        "Cần xem xét lại: giấy chứng nhận của hộ đã bị thu hồi"
    ),
    "Ask again": "Đăng ký lại",
    "Ask to open": "Đăng ký mở",
    "Open the request": "Xem yêu cầu",
    "Request of %(name)s": "Yêu cầu của %(name)s",
    "automatic check": "kiểm tra tự động",
    "Approve": "Duyệt",
    "Mark activated": "Ghi nhận đã kích hoạt",
    "Refuse": "Từ chối",
    "Mark the account closed": "Ghi nhận tài khoản đã đóng",
    "Your shop on a marketplace and your online-payment account are opened once your household "
    "holds its certificate; a shop also needs a product eligible to list. Ask here; the postal "
    "staff will call you.": (
        "Gian hàng trên sàn TMĐT và tài khoản thanh toán trực tuyến được mở khi hộ đã có giấy "
        "chứng nhận; gian hàng còn cần ít nhất một sản phẩm đủ điều kiện đưa lên sàn. Hãy đăng ký "
        "tại đây; cán bộ bưu điện sẽ gọi điện cho hộ."
    ),
    "Filter the requests": "Lọc yêu cầu",
    "%(n)s requests": "%(n)s yêu cầu",
    "No request matches.": "Không có yêu cầu nào phù hợp.",
    # API keys (admin screens)
    "API keys": "Khóa API",
    "Keys for the marketplaces and partners that call the API": (
        "Khóa cho các sàn TMĐT và đối tác gọi API"
    ),
    "Verifying certificates only": "Chỉ xác minh giấy chứng nhận",
    "The key %(prefix)s… stopped working.": "Khóa %(prefix)s… đã ngừng hoạt động.",
    "What the key is for": "Khóa dùng cho việc gì",
    "Please name the key (who uses it, where).": "Vui lòng đặt tên cho khóa (ai dùng, ở đâu).",
    "Please choose the organisation.": "Vui lòng chọn tổ chức.",
    "Acts for": "Dùng cho",
    "Marketplaces and partners call the API with a key: it acts only on the households of its "
    "organisation's area, for one marketplace or payment provider. The OpenAPI document is at "
    "%(url)s.": (
        "Sàn TMĐT và đối tác gọi API bằng khóa: khóa chỉ tác động đến các hộ trong địa bàn của tổ "
        "chức sở hữu khóa, cho một sàn hoặc một đơn vị thanh toán. Tài liệu OpenAPI ở %(url)s."
    ),
    "The new key, shown this once: copy it now and give it to the partner safely.": (
        "Khóa mới, chỉ hiển thị một lần này: hãy sao chép ngay và trao cho đối tác một cách an "
        "toàn."
    ),
    "Key": "Khóa",
    "Last used": "Lần dùng gần nhất",
    "Revoked on %(day)s": "Thu hồi ngày %(day)s",
    "No API key yet.": "Chưa có khóa API nào.",
    "New key": "Khóa mới",
    "Create the key": "Tạo khóa",
    # the API's messages (codes stay in English)
    "This API key is unknown or was revoked.": "Khóa API không tồn tại hoặc đã bị thu hồi.",
    "No marketplace has this code.": "Không có sàn nào có mã này.",
    "This API key does not act for %(name)s.": "Khóa API này không được dùng cho %(name)s.",
    "The body must be a JSON object.": "Nội dung yêu cầu phải là một đối tượng JSON.",
    "'%(field)s' must be text of at most %(n)d characters.": (
        "'%(field)s' phải là chuỗi ký tự, tối đa %(n)d ký tự."
    ),
    "Give the household's phone or national ID.": "Hãy cho biết số điện thoại hoặc số CCCD của hộ.",
    "This is not a Vietnamese phone number.": "Đây không phải số điện thoại Việt Nam.",
    "A national ID (CCCD) has 12 digits.": "Số CCCD gồm 12 chữ số.",
    "No household with this phone or national ID in your organisation's area.": (
        "Không có hộ nào có số điện thoại hoặc số CCCD này trong địa bàn của tổ chức."
    ),
    "The household may not have an account yet.": "Hộ chưa đủ điều kiện mở tài khoản.",
    "Give either a token or a serial number.": "Hãy cho biết mã xác minh hoặc số hiệu (một trong hai).",
    "No certificate matches.": "Không có giấy chứng nhận nào phù hợp.",
    "The request is not valid.": "Yêu cầu không hợp lệ.",
    "An API key is needed: send it as 'Authorization: Bearer <key>' or 'X-API-Key'.": (
        "Cần có khóa API: gửi trong 'Authorization: Bearer <khóa>' hoặc 'X-API-Key'."
    ),
    "This API key may not do this.": "Khóa API này không được phép làm việc này.",
    "Not found.": "Không tìm thấy.",
    "This method is not allowed here.": "Phương thức này không được phép ở đây.",
    "The request is too large.": "Yêu cầu quá lớn.",
    "Too many requests. Please wait a minute and try again.": (
        "Quá nhiều yêu cầu. Vui lòng đợi một phút rồi thử lại."
    ),
    "Something went wrong on our side. The error has been recorded.": (
        "Hệ thống gặp lỗi. Lỗi đã được ghi lại."
    ),
    # rate limits on the login forms
    "Too many attempts from this connection. Please wait a minute, then try again.": (
        "Có quá nhiều lần thử từ kết nối này. Vui lòng đợi một phút rồi thử lại."
    ),
    "You need to log in": "Bạn cần đăng nhập",
}
