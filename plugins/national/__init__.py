"""The national internship and apprenticeship rules (《职业学校学生实习管理规定》, 2021)."""
