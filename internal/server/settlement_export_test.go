package server_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/server"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestSettlementExportHTTP: the CSV export is authorised like the API, with the real
// authenticator: a login token of the PSP's staff gets the CSV, another merchant's
// user and an unknown id get 404, no or bad credentials 401.
func TestSettlementExportHTTP(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		sys := auth.System(context.Background())
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		hash, err := auth.HashPassword("export-password-1")
		check(err)
		p, err := d.Ent.PSP.Create().SetName("PSP").SetIban("DE89370400440532013000").SetBic("COBADEFFXXX").Save(sys)
		check(err)
		var merchants []string
		for _, name := range []string{"Kask & Kivi", "Bergmann"} {
			m, err := d.Ent.Merchant.Create().SetPspID(p.ID).SetName(name).SetCountry("EE").SetStatus("ACTIVE").Save(sys)
			check(err)
			merchants = append(merchants, m.ID)
		}
		_, err = d.Ent.User.Create().SetPspID(p.ID).SetEmail("staff@psp.test").SetRole(domain.RolePSPAdmin).SetPasswordHash(hash).Save(sys)
		check(err)
		_, err = d.Ent.User.Create().SetPspID(p.ID).SetMerchantID(merchants[1]).SetEmail("owner@bergmann.test").
			SetRole(domain.RoleMerchantAdmin).SetPasswordHash(hash).Save(sys)
		check(err)
		co, err := d.Ent.Company.Create().SetPspID(p.ID).SetMerchantID(merchants[0]).SetLegalName("Kask & Kivi OÜ").
			SetCountry("EE").SetIban("EE382200221020145685").SetPayoutSchedule(domain.PayoutDaily).Save(sys)
		check(err)
		_, err = d.Ent.FeeRule.Create().SetCompanyID(co.ID).SetProductType(domain.ProductPayNowCard).SetPercentBps(140).SetFixedMinor(25).Save(sys)
		check(err)
		sh, err := d.Ent.Shop.Create().SetPspID(p.ID).SetMerchantID(merchants[0]).SetName("Home").Save(sys)
		check(err)
		for i, amount := range []int64{123_45, 67_89} {
			_, err := d.Ent.Order.Create().SetPspID(p.ID).SetMerchantID(merchants[0]).SetCompanyID(co.ID).SetShopID(sh.ID).
				SetProvider(domain.ProviderPaywerk).SetProductType(domain.ProductPayNowCard).SetReference("KK-" + string(rune('1'+i))).
				SetStatus(order.StatusCONFIRMED).SetInitialAmountMinor(amount).SetAmountMinor(amount).
				SetBillingAddress(domain.Address{Country: "EE"}).SetPayoutDate(domain.Today()).Save(sys)
			check(err)
		}
		settlements := settlement.NewSettlements(d)
		res, err := settlements.Run(sys, domain.Today())
		check(err)
		if len(res.Settlements) != 1 {
			t.Fatalf("%d settlements, want 1", len(res.Settlements))
		}
		st := res.Settlements[0]

		authn := auth.NewAuthenticator(auth.AuthenticatorConfig{Client: d.Ent,
			Sessions: auth.NewSessions([]byte("0123456789abcdef0123456789abcdef")),
			Keys:     auth.NewKeyHasher([]byte("pepper-pepper-pepper-pepper-pepper")), Env: auth.EnvTest})
		defer authn.Close()
		login := func(email string) string {
			_, token, _, err := authn.Login(context.Background(), email, "export-password-1")
			check(err)
			return token
		}
		r := chi.NewRouter()
		r.Get(server.SettlementExportRoute, server.SettlementExport(settlements, authn.Authenticate, nil))
		srv := httptest.NewServer(r)
		defer srv.Close()

		get := func(id, token string) (int, string) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/exports/settlements/"+id+".csv", nil)
			check(err)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := srv.Client().Do(req)
			check(err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			check(err)
			return resp.StatusCode, string(body)
		}
		staff, other := login("staff@psp.test"), login("owner@bergmann.test")
		cases := []struct {
			name   string
			id     string
			token  string
			status int
		}{
			{"no credentials are unauthorised", st.ID, "", http.StatusUnauthorized},
			{"a bad token is unauthorised", st.ID, "not-a-token", http.StatusUnauthorized},
			{"another merchant's user does not find it", st.ID, other, http.StatusNotFound},
			{"an unknown id is not found", "set_01NOPE", staff, http.StatusNotFound},
			{"the PSP's staff get the CSV", st.ID, staff, http.StatusOK},
		}
		for _, tc := range cases {
			status, body := get(tc.id, tc.token)
			if status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
				continue
			}
			if status != http.StatusOK {
				continue
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			check(err)
			total := rows[len(rows)-1]
			if len(rows) != 1+4+1 || total[2] != "TOTAL" || total[len(total)-1] != money.New(st.NetMinor, "EUR").Amount() {
				t.Errorf("%s: CSV\n%s\nwant 2 orders, 2 fees and a TOTAL of %d", tc.name, body, st.NetMinor)
			}
		}
	})
}
