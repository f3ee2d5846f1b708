package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"entgo.io/contrib/entgql"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/event"
	"github.com/pspbackoffice/backoffice/ent/eventdelivery"
	"github.com/pspbackoffice/backoffice/ent/webhookendpoint"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/outbound"
)

// Bounds of the endpoint inputs (docs/input-bounds.md).
const (
	MaxEndpointsPerCompany = 10
	// MaxRollHours is the longest overlap of a secret roll (a week).
	MaxRollHours = 7 * 24
	// FailureRateWindow is the time WebhookEndpoint.failureRate looks back on.
	FailureRateWindow = 7 * 24 * time.Hour
)

// EndpointInput is a new endpoint or a change of one (nil fields stay as they are).
type EndpointInput struct {
	URL        *string
	EventTypes []Type // nil: unchanged (update) or all (create); empty: all
	Disabled   *bool
}

// checkURL refuses what no delivery could reach: not http(s), no host, too long, or
// a literal internal address (internal/outbound) unless CALLBACKS_ALLOW_PRIVATE.
// A name that resolves inside our network is refused at each delivery instead.
func (s *Service) checkURL(raw string) *domain.Refusal {
	field := domain.Field("url")
	if domain.TooLong(raw, domain.MaxURLLen) {
		return domain.RefuseErr(ErrInvalidEndpoint, field, fmt.Sprintf("the URL is longer than %d characters", domain.MaxURLLen))
	}
	if !domain.AbsoluteHTTP(raw) {
		return domain.RefuseErr(ErrInvalidEndpoint, field, "the URL must be an absolute http:// or https:// URL")
	}
	if !s.cfg.AllowPrivate {
		u, _ := url.Parse(raw) // parsed by AbsoluteHTTP
		host := u.Hostname()
		addr, err := netip.ParseAddr(host)
		if strings.EqualFold(host, "localhost") || (err == nil && !outbound.Public(addr)) {
			return domain.RefuseErr(ErrInvalidEndpoint, field, "the URL leads to an internal address; deliveries go to public addresses only")
		}
	}
	return nil
}

// eventTypes checks and deduplicates subscribed types.
func eventTypes(in []Type) ([]string, *domain.Refusal) {
	out := []string{}
	for _, t := range in {
		if event.TypeValidator(t) != nil {
			return nil, domain.RefuseErr(ErrInvalidEndpoint, domain.Field("eventTypes"), fmt.Sprintf("unknown event type %q", t))
		}
		if !slices.Contains(out, string(t)) {
			out = append(out, string(t))
		}
	}
	return out, nil
}

// newSecret makes an endpoint signing secret and its sealed form.
func (s *Service) newSecret() (secret string, sealed []byte, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = "whsec_" + hex.EncodeToString(b)
	sealed, err = s.box.Seal([]byte(secret))
	return secret, sealed, err
}

// CreateEndpoint adds a webhook endpoint to a company the principal sees and answers
// it with its signing secret, which is shown this once.
func (s *Service) CreateEndpoint(ctx context.Context, companyID string, in EndpointInput) (*ent.WebhookEndpoint, string, error) {
	if in.URL == nil {
		return nil, "", domain.RefuseErr(ErrInvalidEndpoint, domain.Field("url"), "the URL is required")
	}
	if r := s.checkURL(*in.URL); r != nil {
		return nil, "", r
	}
	types, r := eventTypes(in.EventTypes)
	if r != nil {
		return nil, "", r
	}
	co, err := s.cfg.DB.Ent.Company.Query().Where(company.ID(companyID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, "", domain.RefuseErr(ErrCompanyNotFound, domain.Field("companyId"), "no such company")
	} else if err != nil {
		return nil, "", err
	}
	secret, sealed, err := s.newSecret()
	if err != nil {
		return nil, "", err
	}
	var ep *ent.WebhookEndpoint
	err = s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		n, err := tx.Ent.WebhookEndpoint.Query().Where(webhookendpoint.CompanyID(co.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxEndpointsPerCompany {
			return domain.RefuseErr(ErrTooManyEndpoints, domain.Field("companyId"),
				fmt.Sprintf("a company has at most %d webhook endpoints", MaxEndpointsPerCompany))
		}
		ep, err = tx.Ent.WebhookEndpoint.Create().SetPspID(co.PspID).SetMerchantID(co.MerchantID).SetCompanyID(co.ID).
			SetURL(*in.URL).SetEventTypes(types).SetSecretSealed(sealed).Save(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// endpoint reads an endpoint the principal sees.
func (s *Service) endpoint(ctx context.Context, c *ent.Client, id string) (*ent.WebhookEndpoint, error) {
	ep, err := c.WebhookEndpoint.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, domain.RefuseErr(ErrEndpointNotFound, domain.Field("webhookEndpointId"), "no such webhook endpoint")
	}
	return ep, err
}

// UpdateEndpoint changes an endpoint's URL, types or disabled flag. Enabling it
// clears the reason it was disabled and its failure streak.
func (s *Service) UpdateEndpoint(ctx context.Context, id string, in EndpointInput) (*ent.WebhookEndpoint, error) {
	ep, err := s.endpoint(ctx, s.cfg.DB.Ent, id)
	if err != nil {
		return nil, err
	}
	upd := ep.Update()
	if in.URL != nil {
		if r := s.checkURL(*in.URL); r != nil {
			return nil, r
		}
		upd.SetURL(*in.URL)
	}
	if in.EventTypes != nil {
		types, r := eventTypes(in.EventTypes)
		if r != nil {
			return nil, r
		}
		upd.SetEventTypes(types)
	}
	if in.Disabled != nil && *in.Disabled != ep.Disabled {
		upd.SetDisabled(*in.Disabled).ClearFailingSince()
		if *in.Disabled {
			who := "someone"
			if p := auth.From(ctx); p != nil {
				who = p.Label
			}
			upd.SetDisabledReason(truncate("disabled by "+who, maxErrorLen))
		} else {
			upd.SetDisabledReason("")
		}
	}
	return upd.Save(ctx)
}

// DeleteEndpoint removes an endpoint; its deliveries stay until purged.
func (s *Service) DeleteEndpoint(ctx context.Context, id string) (*ent.WebhookEndpoint, error) {
	ep, err := s.endpoint(ctx, s.cfg.DB.Ent, id)
	if err != nil {
		return nil, err
	}
	return ep, s.cfg.DB.Ent.WebhookEndpoint.DeleteOne(ep).Exec(ctx)
}

// RollSecret gives an endpoint a new secret, shown this once; the previous one keeps
// signing beside it (two v1= entries) for expiresInHours (0: it stops now).
func (s *Service) RollSecret(ctx context.Context, id string, expiresInHours int) (*ent.WebhookEndpoint, string, error) {
	if expiresInHours < 0 || expiresInHours > MaxRollHours {
		return nil, "", domain.RefuseErr(ErrInvalidEndpoint, domain.Field("expiresInHours"),
			fmt.Sprintf("expiresInHours is between 0 and %d", MaxRollHours))
	}
	ep, err := s.endpoint(ctx, s.cfg.DB.Ent, id)
	if err != nil {
		return nil, "", err
	}
	secret, sealed, err := s.newSecret()
	if err != nil {
		return nil, "", err
	}
	ep, err = ep.Update().SetSecretSealed(sealed).SetPreviousSecretSealed(ep.SecretSealed).
		SetPreviousSecretExpiresAt(s.cfg.Now().Add(time.Duration(expiresInHours) * time.Hour)).Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// Redeliver queues a new attempt now of an event the principal sees, to its order's
// callbackUrl and every enabled endpoint that subscribes to it.
func (s *Service) Redeliver(ctx context.Context, eventID string) (*ent.Event, error) {
	ev, err := s.cfg.DB.Ent.Event.Get(ctx, eventID)
	if ent.IsNotFound(err) {
		return nil, domain.RefuseErr(ErrEventNotFound, domain.Field("eventId"), "no such event")
	} else if err != nil {
		return nil, err
	}
	err = s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		callbackURL := ""
		if ev.OrderID != nil {
			o, err := tx.Ent.Order.Get(auth.System(ctx), *ev.OrderID)
			if err != nil && !ent.IsNotFound(err) {
				return err
			}
			if o != nil {
				callbackURL = o.CallbackURL
			}
		}
		return s.queue(ctx, tx, ev, callbackURL)
	})
	return ev, err
}

// FailureRate is the share of an endpoint's delivery attempts in the last
// FailureRateWindow that failed (0 without attempts).
func (s *Service) FailureRate(ctx context.Context, ep *ent.WebhookEndpoint) (float64, error) {
	q := s.cfg.DB.Ent.EventDelivery.Query().
		Where(eventdelivery.EndpointID(ep.ID), eventdelivery.AtGT(s.cfg.Now().Add(-FailureRateWindow)))
	all, err := q.Clone().Count(ctx)
	if err != nil || all == 0 {
		return 0, err
	}
	failed, err := q.Where(eventdelivery.OutcomeNEQ(OutcomeSucceeded)).Count(ctx)
	if err != nil {
		return 0, err
	}
	return float64(failed) / float64(all), nil
}

// EventFilter narrows events(…).
type EventFilter struct {
	OrderID *string
	Type    *Type
	Since   *time.Time
}

// Query answers the events the principal sees, filtered; newest first unless one
// order's are asked, which come in sequence order (for a backfill).
func (s *Service) Query(ctx context.Context, f EventFilter) *ent.EventQuery {
	q := s.cfg.DB.Ent.Event.Query()
	if f.OrderID != nil {
		q.Where(event.OrderID(*f.OrderID))
	}
	if f.Type != nil {
		q.Where(event.TypeEQ(*f.Type))
	}
	if f.Since != nil {
		q.Where(event.CreatedAtGTE(*f.Since))
	}
	return q
}

// PageOrder is the order Query's answer is paged in: newest first, or for one order's
// events by sequence, oldest first (a backfill), since instances' clocks may disagree
// with the sequence taken under the order's lock.
func (f EventFilter) PageOrder() *ent.EventOrder {
	if f.OrderID != nil {
		return &ent.EventOrder{Direction: entgql.OrderDirectionAsc, Field: ent.EventOrderFieldSequence}
	}
	return &ent.EventOrder{Direction: entgql.OrderDirectionDesc, Field: ent.EventOrderFieldCreatedAt}
}

// Deliveries answers an event's delivery attempts, in order.
func Deliveries(ctx context.Context, ev *ent.Event) ([]*ent.EventDelivery, error) {
	return ev.QueryDeliveries().Order(ent.Asc(eventdelivery.FieldAt), ent.Asc(eventdelivery.FieldID)).All(ctx)
}

// RecentDeliveries answers an endpoint's latest n delivery attempts, newest first.
func (s *Service) RecentDeliveries(ctx context.Context, ep *ent.WebhookEndpoint, n int) ([]*ent.EventDelivery, error) {
	return s.cfg.DB.Ent.EventDelivery.Query().Where(eventdelivery.EndpointID(ep.ID)).
		Order(ent.Desc(eventdelivery.FieldAt), ent.Desc(eventdelivery.FieldID)).Limit(n).All(ctx)
}
