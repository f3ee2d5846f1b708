package merchants

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/apikey"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// APIKeys makes and revokes integrators' keys (docs/api.md "Credentials"): each key acts for one
// company and one shop of the same merchant, optionally only in some areas (scopes)
// and until some time. The secret is answered once; the database keeps its prefix
// and keyed hash only (internal/auth).
type APIKeys struct {
	Client *ent.Client
	// DB runs a roll (a new key and the old one's end) in one transaction.
	DB     *db.DB
	Hasher *auth.KeyHasher
	// Env is the environment keys are made for: auth.EnvTest in sandbox mode, auth.EnvLive in live.
	Env string
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// NewAPIKey is what a key is made from.
type NewAPIKey struct {
	CompanyID, ShopID, Name string
	Scopes                  []string
	ExpiresAt               *time.Time
}

// Create makes a key and answers it with its secret (pk_<env>_<prefix>_<secret>).
// A company or shop the principal cannot see is NOT_FOUND; the two must belong to the
// same merchant; a SUSPENDED merchant gets no new keys.
func (s *APIKeys) Create(ctx context.Context, in NewAPIKey) (*ent.APIKey, string, error) {
	p := auth.From(ctx)
	if p == nil || p.Kind != auth.KindUser {
		return nil, "", domain.Refuse(domain.CodeForbidden, nil, "only users make API keys")
	}
	var r domain.Refusal
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		r.Add(domain.CodeValidation, domain.Field("name"), "the name must have 1 to 100 characters")
	}
	scopes := []string{}
	for i, sc := range in.Scopes {
		switch {
		case !auth.ValidScope(sc):
			r.Add(domain.CodeValidation, domain.Field("scopes", i),
				"unknown scope "+strconv.Quote(sc)+"; one of "+strings.Join(auth.Scopes, ", "))
		case !slices.Contains(scopes, sc):
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		// Least privilege (docs/api.md "Credentials"): every scope only when asked for.
		scopes = []string{auth.ScopeOrdersRead}
	}
	now := s.now()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		r.Add(domain.CodeValidation, domain.Field("expiresAt"), "the expiry must be in the future")
	}
	if err := r.Err(); err != nil {
		return nil, "", err
	}
	co, err := s.Client.Company.Get(ctx, in.CompanyID)
	if ent.IsNotFound(err) {
		return nil, "", domain.Refuse(domain.CodeNotFound, domain.Field("companyId"), "no such company")
	}
	if err != nil {
		return nil, "", err
	}
	sh, err := s.Client.Shop.Get(ctx, in.ShopID)
	if ent.IsNotFound(err) {
		return nil, "", domain.Refuse(domain.CodeNotFound, domain.Field("shopId"), "no such shop")
	}
	if err != nil {
		return nil, "", err
	}
	if sh.MerchantID != co.MerchantID {
		return nil, "", domain.Refuse(domain.CodeValidation, domain.Field("shopId"),
			"the shop and the company must belong to the same merchant")
	}
	if err := CanIssueAPIKeys(ctx, s.Client, co.MerchantID); err != nil {
		return nil, "", err
	}
	secret, err := auth.NewAPIKeySecret(s.Env)
	if err != nil {
		return nil, "", err
	}
	k, err := s.Client.APIKey.Create().SetPspID(co.PspID).SetMerchantID(co.MerchantID).SetCompanyID(co.ID).
		SetShopID(sh.ID).SetCreatedByID(p.ID).SetName(in.Name).SetPrefix(secret.Prefix).
		SetSecretHash(s.Hasher.Hash(secret)).SetEnvironment(s.Env).SetScopes(scopes).
		SetNillableExpiresAt(in.ExpiresAt).Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return k, secret.String(), nil
}

// MaxRollOverlapHours bounds how long a rolled key keeps working beside its successor (30 days).
const MaxRollOverlapHours = 720

// Roll replaces a key (docs/api.md "Key rolling"): a new key with the same merchant,
// company, shop, name, scopes and expiry, answered with its secret once; the old key
// keeps working for expiresInHours more (0: it stops now), or until its own expiry if
// that comes first. A key is rolled once: its successor is the one to roll next.
// Revoked and expired keys are not rolled (CONFLICT), nor are keys of a suspended merchant.
func (s *APIKeys) Roll(ctx context.Context, id string, expiresInHours int) (*ent.APIKey, string, error) {
	p := auth.From(ctx)
	if p == nil || p.Kind != auth.KindUser {
		return nil, "", domain.Refuse(domain.CodeForbidden, nil, "only users roll API keys")
	}
	if expiresInHours < 0 || expiresInHours > MaxRollOverlapHours {
		return nil, "", domain.RefuseErr(ErrInvalidRoll, domain.Field("expiresInHours"),
			"expiresInHours must be between 0 (the old key stops now) and "+strconv.Itoa(MaxRollOverlapHours))
	}
	var (
		k      *ent.APIKey
		secret auth.APIKeySecret
	)
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		old, err := tx.Ent.APIKey.Get(ctx, id)
		if ent.IsNotFound(err) {
			return domain.RefuseErr(ErrAPIKeyNotFound, domain.Field("apiKeyId"), "no such API key")
		}
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case old.RevokedAt != nil || (old.ExpiresAt != nil && !now.Before(*old.ExpiresAt)):
			return domain.RefuseErr(ErrAPIKeyInactive, domain.Field("apiKeyId"),
				"this key is revoked or expired; create a new key instead")
		case old.ReplacedByID != nil:
			return domain.RefuseErr(ErrAPIKeyRolled, domain.Field("apiKeyId"),
				"this key was rolled already; roll its successor instead")
		}
		if err := CanIssueAPIKeys(ctx, tx.Ent, old.MerchantID); err != nil {
			return err
		}
		if secret, err = auth.NewAPIKeySecret(s.Env); err != nil {
			return err
		}
		k, err = tx.Ent.APIKey.Create().SetPspID(old.PspID).SetMerchantID(old.MerchantID).
			SetCompanyID(old.CompanyID).SetShopID(old.ShopID).SetCreatedByID(p.ID).SetName(old.Name).
			SetPrefix(secret.Prefix).SetSecretHash(s.Hasher.Hash(secret)).SetEnvironment(s.Env).
			SetScopes(old.Scopes).SetNillableExpiresAt(old.ExpiresAt).Save(ctx)
		if err != nil {
			return err
		}
		end := now.Add(time.Duration(expiresInHours) * time.Hour)
		if old.ExpiresAt != nil && old.ExpiresAt.Before(end) {
			end = *old.ExpiresAt
		}
		// Conditional: of two rolls at once only one replaces the key.
		n, err := tx.Ent.APIKey.Update().Where(apikey.ID(old.ID), apikey.ReplacedByIDIsNil()).
			SetReplacedByID(k.ID).SetExpiresAt(end).Save(ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return domain.RefuseErr(ErrAPIKeyRolled, domain.Field("apiKeyId"),
				"this key was rolled already; roll its successor instead")
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret.String(), nil
}

// Revoke stops a key at once; revoking a revoked key answers it unchanged.
func (s *APIKeys) Revoke(ctx context.Context, id string) (*ent.APIKey, error) {
	k, err := s.Client.APIKey.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, domain.Refuse(domain.CodeNotFound, domain.Field("apiKeyId"), "no such API key")
	}
	if err != nil || k.RevokedAt != nil {
		return k, err
	}
	return s.Client.APIKey.UpdateOne(k).SetRevokedAt(s.now()).Save(ctx)
}

func (s *APIKeys) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
