package psp_test

import (
	"net/http"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
)

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// otherTenant is another merchant of the same PSP.
type otherTenant struct {
	Company *ent.Company
	Shop    *ent.Shop
	User    *auth.Principal
}

func otherMerchant(t *testing.T, e *psptest.Env) otherTenant {
	t.Helper()
	c := e.DB.Ent
	m, err := c.Merchant.Create().SetPspID(e.PSP.ID).SetName("Bergmann").SetCountry("DE").SetStatus(merchant.StatusACTIVE).Save(systemCtx)
	noErr(t, err)
	co, err := c.Company.Create().SetPspID(e.PSP.ID).SetMerchantID(m.ID).SetLegalName("Bergmann GmbH").SetCountry("DE").
		SetIban("DE89370400440532013000").SetPayoutSchedule(domain.PayoutDaily).Save(systemCtx)
	noErr(t, err)
	sh, err := c.Shop.Create().SetPspID(e.PSP.ID).SetMerchantID(m.ID).SetName("Bergmann B2B").Save(systemCtx)
	noErr(t, err)
	return otherTenant{Company: co, Shop: sh, User: &auth.Principal{Kind: auth.KindUser, ID: "usr_other", Label: "owner@bergmann.de",
		PSPID: e.PSP.ID, MerchantID: m.ID, Role: domain.RoleMerchantAdmin}}
}

// setShop changes the shop for one case and answers how to change it back.
func setShop(t *testing.T, e *psptest.Env, set, undo func(*ent.ShopUpdateOne)) func() {
	t.Helper()
	u := e.Shop.Update()
	set(u)
	noErr(t, u.Exec(systemCtx))
	return func() {
		u := e.Shop.Update()
		undo(u)
		noErr(t, u.Exec(systemCtx))
	}
}

func setMerchantStatus(t *testing.T, e *psptest.Env, s merchant.Status) func() {
	t.Helper()
	noErr(t, e.Merchant.Update().SetStatus(s).Exec(systemCtx))
	return func() { noErr(t, e.Merchant.Update().SetStatus(merchant.StatusACTIVE).Exec(systemCtx)) }
}

// openPage is a shopper opening the payment page and leaving it.
func openPage(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("payment page answered %s", resp.Status)
	}
}
