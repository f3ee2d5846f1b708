package merchants

import (
	"context"
	"fmt"
	"slices"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// AllProductTypes is what a shop offers when nobody narrowed it.
var AllProductTypes = []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice}

// NewShop is addShop's input. The order amount limits are the plugin's "minimum
// and maximum order amount" (docs/providers/paywerk.md "Products and limits"): outside them the payment method is not offered.
type NewShop struct {
	MerchantID     string
	Name           string
	URL            string               // optional, http or https
	DefaultLang    string               // ISO 639-1; empty is "en"
	ProductTypes   []domain.ProductType // nil: all
	Currency       string               // of the limits; empty is EUR
	MinOrderAmount string               // optional decimal
	MaxOrderAmount string               // optional decimal
}

// ShopChanges is updateShop's input; nil leaves a field alone, "" clears the URL or a limit.
type ShopChanges struct {
	ShopID         string
	Name           *string
	URL            *string
	DefaultLang    *string
	ProductTypes   []domain.ProductType // nil: unchanged
	MinOrderAmount *string
	MaxOrderAmount *string
}

type shopData struct {
	name, url, lang, currency string
	productTypes              []domain.ProductType
	min, max                  *int64
}

// shop normalises and checks a shop's fields.
func (p *problems) shop(in NewShop) shopData {
	d := shopData{
		name:     p.text("name", in.Name, true, maxNameLen),
		url:      p.webURL("url", in.URL),
		currency: p.currency("currency", in.Currency),
		lang:     "en",
	}
	if in.DefaultLang != "" {
		d.lang = p.lang("defaultLang", in.DefaultLang)
	}
	d.productTypes = p.productTypes(in.ProductTypes)
	var minM, maxM money.Money
	var minOK, maxOK bool
	if in.MinOrderAmount != "" {
		if minM, minOK = p.amount([]string{"minOrderAmount"}, in.MinOrderAmount, d.currency); minOK {
			v := minM.Minor()
			d.min = &v
		}
	}
	if in.MaxOrderAmount != "" {
		if maxM, maxOK = p.amount([]string{"maxOrderAmount"}, in.MaxOrderAmount, d.currency); maxOK {
			v := maxM.Minor()
			d.max = &v
		}
	}
	if minOK && maxOK && minM.Minor() > maxM.Minor() {
		p.add([]string{"maxOrderAmount"}, fmt.Sprintf("the maximum order amount %s is below the minimum %s", maxM, minM))
	}
	return d
}

func (p *problems) productTypes(in []domain.ProductType) []domain.ProductType {
	if in == nil {
		return slices.Clone(AllProductTypes)
	}
	if len(in) == 0 {
		p.add([]string{"productTypes"}, "a shop offers at least one product type")
	}
	var out []domain.ProductType
	for i, t := range in {
		switch {
		case !slices.Contains(t.Values(), string(t)):
			p.add(domain.Field("productTypes", i), fmt.Sprintf("%q is not a product type", t))
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	return out
}

// AddShop adds a shop to a merchant.
func (o *Onboarding) AddShop(ctx context.Context, in NewShop) (*ent.Shop, error) {
	var p problems
	d := p.shop(in)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *ent.Shop
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, in.MerchantID, "merchantId")
		if err != nil {
			return err
		}
		c := tx.ent.Shop.Create().SetPspID(m.PspID).SetMerchantID(m.ID).SetCurrency(d.currency)
		applyShop(c.Mutation(), d)
		if out, err = c.Save(ctx); err != nil {
			return err
		}
		_, err = refreshStatus(ctx, tx.ent, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Shop.Get(ctx, out.ID)
}

// UpdateShop changes a shop's name, URL, language, product types or order limits.
func (o *Onboarding) UpdateShop(ctx context.Context, in ShopChanges) (*ent.Shop, error) {
	var out *ent.Shop
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		s, err := tx.ent.Shop.Get(ctx, in.ShopID)
		if ent.IsNotFound(err) {
			return notFound("shopId", "shop", in.ShopID)
		}
		if err != nil {
			return err
		}
		if _, err := o.lockMerchant(ctx, tx.ent, s.MerchantID, "shopId"); err != nil {
			return err
		}
		var p problems
		d := p.shop(mergeShop(s, in))
		if err := p.err(); err != nil {
			return err
		}
		u := tx.ent.Shop.UpdateOne(s)
		applyShop(u.Mutation(), d)
		if d.url == "" {
			u.ClearURL()
		}
		if d.min == nil {
			u.ClearMinAmountMinor()
		}
		if d.max == nil {
			u.ClearMaxAmountMinor()
		}
		out, err = u.Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Shop.Get(ctx, out.ID)
}

// mergeShop lays the changes over the stored shop, so one validation checks the
// shop as it will be.
func mergeShop(s *ent.Shop, in ShopChanges) NewShop {
	n := NewShop{MerchantID: s.MerchantID, Name: s.Name, URL: s.URL, DefaultLang: s.DefaultLang,
		ProductTypes: s.ProductTypes, Currency: s.Currency}
	if n.ProductTypes == nil {
		n.ProductTypes = slices.Clone(AllProductTypes)
	}
	if s.MinAmountMinor != nil {
		n.MinOrderAmount = money.New(*s.MinAmountMinor, s.Currency).Amount()
	}
	if s.MaxAmountMinor != nil {
		n.MaxOrderAmount = money.New(*s.MaxAmountMinor, s.Currency).Amount()
	}
	for dst, src := range map[*string]*string{&n.Name: in.Name, &n.URL: in.URL, &n.DefaultLang: in.DefaultLang,
		&n.MinOrderAmount: in.MinOrderAmount, &n.MaxOrderAmount: in.MaxOrderAmount} {
		if src != nil {
			*dst = *src
		}
	}
	if in.ProductTypes != nil {
		n.ProductTypes = in.ProductTypes
	}
	return n
}

func applyShop(m *ent.ShopMutation, d shopData) {
	m.SetName(d.name)
	if d.url != "" {
		m.SetURL(d.url)
	}
	m.SetDefaultLang(d.lang)
	m.SetProductTypes(d.productTypes)
	if d.min != nil {
		m.SetMinAmountMinor(*d.min)
	}
	if d.max != nil {
		m.SetMaxAmountMinor(*d.max)
	}
}
