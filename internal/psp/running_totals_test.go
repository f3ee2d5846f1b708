package psp

import (
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// TestAcceptanceExample (issue 13): Paywerk INVOICE 509.99 (A 3 × 100.00, B 2 × 55.00,
// C 3 × 33.33): fulfil 1.5 A + 1.5 C → 200.00, then 1.5 C → 49.99, AUTO on B →
// CANCEL 110.00, RETURN 0.5 A → 50.00.
func TestAcceptanceExample(t *testing.T) {
	items := []ItemState{item("A", "3", "100.00"), item("B", "2", "55.00"), item("C", "3", "33.33")}
	pl, err := PlanFulfilment("EUR", items, []FulfilRequestItem{{SKU: "A", Quantity: qty("1.5")}, {SKU: "C", Quantity: qty("1.5")}})
	if err != nil || pl.Amount.Amount() != "200.00" {
		t.Fatalf("fulfil 1.5 A + 1.5 C = %v, %v; want 200.00", pl.Amount, err)
	}
	items = confirm(pl.Items)
	if pl, err = PlanFulfilment("EUR", items, []FulfilRequestItem{{SKU: "C", Quantity: qty("1.5")}}); err != nil || pl.Amount.Amount() != "49.99" {
		t.Fatalf("fulfil 1.5 C = %v, %v; want 49.99", pl.Amount, err)
	}
	items = confirm(pl.Items)
	if pl, err = PlanRefund("EUR", items, []RefundRequestItem{{SKU: "B", RefundType: domain.RefundAuto}}); err != nil ||
		pl.CancelAmount.Amount() != "110.00" || pl.ReturnAmount.Amount() != "0.00" {
		t.Fatalf("AUTO B = CANCEL %v RETURN %v, %v; want CANCEL 110.00", pl.CancelAmount, pl.ReturnAmount, err)
	}
	items = pl.Items
	if pl, err = PlanRefund("EUR", items, []RefundRequestItem{{SKU: "A", RefundType: domain.RefundReturn, Quantity: qty("0.5")}}); err != nil ||
		pl.ReturnAmount.Amount() != "50.00" {
		t.Fatalf("RETURN 0.5 A = %v, %v; want 50.00", pl.ReturnAmount, err)
	}
}

// TestMoneyDoesNotDriftInsideALine (defect 4): 0.04 × 5.00 = 0.20 fulfilled as 20
// parts of 0.001 credits 0.10 for half the goods (not 20 × 0.01 = 0.20), cancelling the
// other 0.02 takes the other 0.10, and returning everything gives back exactly what
// was credited.
func TestMoneyDoesNotDriftInsideALine(t *testing.T) {
	items := []ItemState{item("X", "0.04", "5.00")}
	var credited int64
	for range 20 {
		pl, err := PlanFulfilment("EUR", items, []FulfilRequestItem{{SKU: "X", Quantity: qty("0.001")}})
		if err != nil {
			t.Fatal(err)
		}
		credited += pl.Amount.Minor()
		items = confirm(pl.Items)
	}
	if credited != 10 {
		t.Fatalf("20 parts of 0.001 credited %d cents, want 10", credited)
	}
	pl, err := PlanRefund("EUR", items, []RefundRequestItem{{SKU: "X", RefundType: domain.RefundCancel}})
	if err != nil || pl.CancelAmount.Minor() != 10 {
		t.Fatalf("cancelling the other 0.02 = %v, %v; want 0.10", pl.CancelAmount, err)
	}
	items = pl.Items
	var returned int64
	for range 20 {
		pl, err := PlanRefund("EUR", items, []RefundRequestItem{{SKU: "X", RefundType: domain.RefundReturn, Quantity: qty("0.001")}})
		if err != nil {
			t.Fatal(err)
		}
		returned += pl.ReturnAmount.Minor()
		items = pl.Items
	}
	if returned != credited {
		t.Fatalf("returning everything gave back %d cents of the %d credited", returned, credited)
	}
}
