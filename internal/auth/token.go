package auth

import (
	"fmt"
	"time"

	"github.com/go-chi/jwtauth/v5"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// SessionTTL is how long a login token lasts. Short on purpose: there is no refresh
// token; the user logs in again.
const SessionTTL = 12 * time.Hour

// Sessions issues and checks login tokens: HS256 JWTs under a key derived from
// BACKOFFICE_SECRET (secrets.Derive(secret, "jwt")). A token names the user and the
// user's token version; raising the version (logout, new password) ends every token
// issued before, so a stateless token can still be taken back.
type Sessions struct {
	ja  *jwtauth.JWTAuth
	ttl time.Duration
}

// NewSessions makes the token issuer from its signing key.
func NewSessions(key []byte) *Sessions {
	return &Sessions{
		ja: jwtauth.New("HS256", key, nil,
			jwt.WithRequiredClaim("exp"), jwt.WithRequiredClaim("sub"), jwt.WithIssuer(issuer)),
		ttl: SessionTTL,
	}
}

const issuer = "backoffice"

// Claims are what a login token says.
type Claims struct {
	UserID  string
	Version int
	// SessionID names the login's row (LoginSession): a revoked session is refused at
	// once, whatever the token's expiry.
	SessionID string
	ExpiresAt time.Time
}

// Issue signs a token for a user at its current token version, for one login session.
func (s *Sessions) Issue(userID string, version int, sessionID string, now time.Time) (string, time.Time, error) {
	exp := now.Add(s.ttl)
	_, tok, err := s.ja.Encode(map[string]any{
		jwt.SubjectKey:    userID,
		jwt.IssuerKey:     issuer,
		jwt.IssuedAtKey:   now.Unix(),
		jwt.ExpirationKey: exp.Unix(),
		"ver":             version,
		"sid":             sessionID,
	})
	return tok, exp, err
}

// Verify checks a token's signature, issuer and expiry and answers its claims.
func (s *Sessions) Verify(token string) (Claims, error) {
	t, err := jwtauth.VerifyToken(s.ja, token)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	c := Claims{UserID: t.Subject(), ExpiresAt: t.Expiration()}
	v, ok := t.Get("ver")
	if !ok {
		return Claims{}, ErrBadToken
	}
	switch n := v.(type) {
	case float64:
		c.Version = int(n)
	case int:
		c.Version = n
	case int64:
		c.Version = int(n)
	default:
		return Claims{}, ErrBadToken
	}
	if sid, ok := t.Get("sid"); ok {
		c.SessionID, _ = sid.(string)
	}
	if c.UserID == "" || c.SessionID == "" {
		return Claims{}, ErrBadToken
	}
	return c, nil
}
