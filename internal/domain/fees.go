package domain

// FeeRate is one product type's fee in a fee plan version: basis points of the
// credited amount plus a fixed amount (minor units of Currency) once per order.
type FeeRate struct {
	ProductType ProductType `json:"productType"`
	PercentBps  int64       `json:"percentBps"`
	FixedMinor  int64       `json:"fixedMinor"`
	Currency    string      `json:"currency"`
}
