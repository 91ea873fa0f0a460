"""The household's rights over its personal data (Law 91/2025/QH15, Decree 13/2023/NĐ-CP):
seeing what the product holds about it, and asking for a correction or a deletion."""
