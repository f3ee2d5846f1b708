package graph

import (
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/merchants"
)

// Conversions between the onboarding inputs and the merchants package.

func feesOf(in []*model.FeeInput) []merchants.Fee {
	return mapInputs(in, func(f *model.FeeInput) merchants.Fee {
		return merchants.Fee{ProductType: f.ProductType, PercentBps: f.PercentBps, Fixed: f.Fixed}
	})
}

func newCompanyOf(in model.AddCompanyInput) merchants.NewCompany {
	return merchants.NewCompany{MerchantID: in.MerchantID, LegalName: in.LegalName, Country: in.Country,
		RegistrationNumber: deref(in.RegistrationNumber), VATID: deref(in.VatID), IBAN: in.Iban,
		FinanceEmail: deref(in.FinanceEmail), Currency: deref(in.Currency), PayoutSchedule: in.PayoutSchedule, PayoutWeekdays: in.PayoutWeekdays,
		PayNowDelayDays: in.PayNowDelayDays, PayLaterDelayDays: in.PayLaterDelayDays, Fees: feesOf(in.Fees)}
}

func companyChangesOf(in model.UpdateCompanyInput) merchants.CompanyChanges {
	c := merchants.CompanyChanges{CompanyID: in.CompanyID, LegalName: in.LegalName, Country: in.Country,
		RegistrationNumber: in.RegistrationNumber, VATID: in.VatID, IBAN: in.Iban, FinanceEmail: in.FinanceEmail, PayoutSchedule: in.PayoutSchedule,
		PayoutWeekdays: in.PayoutWeekdays, PayNowDelayDays: in.PayNowDelayDays, PayLaterDelayDays: in.PayLaterDelayDays}
	if in.Fees != nil {
		fees := feesOf(in.Fees)
		c.Fees = &fees
	}
	return c
}

func newShopOf(in model.AddShopInput) merchants.NewShop {
	return merchants.NewShop{MerchantID: in.MerchantID, Name: in.Name, URL: deref(in.URL),
		DefaultLang: deref(in.DefaultLang), ProductTypes: in.ProductTypes, Currency: deref(in.Currency),
		MinOrderAmount: deref(in.MinOrderAmount), MaxOrderAmount: deref(in.MaxOrderAmount)}
}

func checklistOf(items []merchants.ChecklistItem) []*model.ChecklistItem {
	out := make([]*model.ChecklistItem, len(items))
	for i, it := range items {
		m := &model.ChecklistItem{Key: it.Key, Done: it.Done, Blocking: it.Blocking, Message: it.Message}
		if it.CompanyID != "" {
			m.CompanyID = &it.CompanyID
		}
		if it.Provider != "" {
			m.Provider = &it.Provider
		}
		out[i] = m
	}
	return out
}
