// Package config reads the server's configuration from the environment, exactly the
// variables of README "Configuration", with their defaults. Nothing else configures the server.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/limits"
)

// Config is the server's configuration.
type Config struct {
	DatabaseURL string // "" → ./data/backoffice.db
	// DatabasePooler (DATABASE_POOLER) is "transaction" when DATABASE_URL names a
	// transaction-mode pooler such as pgbouncer (internal/db/pooler.go); empty:
	// direct connections, with prepared statements.
	DatabasePooler string
	// DatabaseReplicaURL (DATABASE_REPLICA_URL) is a PostgreSQL streaming replica for
	// the reads that tolerate lag (internal/db/replica.go); empty: all reads from
	// DATABASE_URL.
	DatabaseReplicaURL string
	ListenAddr         string // ":8080"
	Secret             string // signs JWTs, peppers API key hashes, encrypts provider credentials
	AdminEmail         string // on an empty database: the first PSP's PSP_ADMIN
	AdminPassword      string
	ProvidersMode      string // "sandbox" or "live"
	Demo               bool   // load the demo data set into an empty database
	DataDir            string // where the SQLite file and the generated secret live
	PublicURL          string // how the outside reaches this server (payment page and webhook URLs)
	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on its own listener,
	// never on the public one: an operator's tool for finding where time goes.
	PprofAddr string
	// MetricsAddr, when set, moves /metrics from the main listener to a listener of
	// its own (e.g. 127.0.0.1:9100), so only the scraper's network reaches it.
	MetricsAddr string
	// TrustedProxies are the peers whose X-Forwarded-For names the client (the load
	// balancer's addresses); empty trusts nobody and uses the TCP peer.
	TrustedProxies []netip.Prefix
	// RequestTimeout bounds every HTTP request's work (its context); 0 is
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout on the server's connections,
	// a backstop for work no request deadline covers (jobs); 0 is
	// DefaultStatementTimeout.
	StatementTimeout time.Duration
	// CallbacksAllowPrivate (CALLBACKS_ALLOW_PRIVATE=true) lets merchant callbacks
	// reach loopback and private addresses: local development only, where the
	// merchant's test server runs on localhost (internal/outbound).
	CallbacksAllowPrivate bool
	// SandboxURL, in sandbox mode: the sandboxes are served by another process at
	// <SandboxURL>/sandbox/ (internal/crashtest does so) instead of by this one.
	SandboxURL string
	// ReconcileAfter is how long a fulfilment or refund may stay PENDING before the
	// reconcile job takes it up (RECONCILE_AFTER, a Go duration; default 1m).
	ReconcileAfter time.Duration
	// SMTPURL is where owed-balance e-mails are sent (smtp://user:pass@host:port,
	// STARTTLS where offered); empty: they are kept in the outbox, not sent.
	SMTPURL string
	// APIKeyThrottle and SessionThrottle are the GraphQL cost buckets of an API key
	// and of a login session (API_KEY_THROTTLE, SESSION_THROTTLE as MAX/RATE, e.g.
	// 1000000/50000; zero values are the defaults).
	APIKeyThrottle, SessionThrottle limits.Budget
	// EventRetention is how long events and their delivery attempts are kept
	// (EVENT_RETENTION, a Go duration; default jobs.DefaultEventRetention, 30 days).
	EventRetention time.Duration
}

// The default cost buckets (README "Throttle"): a full bucket restores in 20 s, and
// holds several operations at the complexity limit (150,000).
var (
	DefaultAPIKeyThrottle  = limits.Budget{Max: 1_000_000, Restore: 50_000}
	DefaultSessionThrottle = limits.Budget{Max: 2_000_000, Restore: 100_000}
)

// DBOptions are how db.OpenWith reaches DATABASE_URL.
func (c Config) DBOptions() db.Options {
	return db.Options{Pooler: c.DatabasePooler, Replica: c.DatabaseReplicaURL}
}

// Defaults of the timeouts (README "Security").
const (
	DefaultRequestTimeout   = 30 * time.Second
	DefaultStatementTimeout = 60 * time.Second
)

// DataDir is where generated state lives when nothing else is configured.
const DataDir = "./data"

// FromEnv reads the configuration. A missing BACKOFFICE_SECRET is generated once into
// ./data/secret so restarts keep the same keys.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:        os.Getenv("DATABASE_URL"),
		DatabasePooler:     os.Getenv("DATABASE_POOLER"),
		DatabaseReplicaURL: os.Getenv("DATABASE_REPLICA_URL"),
		ListenAddr:         envOr("LISTEN_ADDR", ":8080"),
		Secret:             os.Getenv("BACKOFFICE_SECRET"),
		SandboxURL:         strings.TrimRight(os.Getenv("SANDBOX_URL"), "/"),
		AdminEmail:         os.Getenv("BACKOFFICE_ADMIN_EMAIL"),
		AdminPassword:      os.Getenv("BACKOFFICE_ADMIN_PASSWORD"),
		ProvidersMode:      envOr("PROVIDERS_MODE", "sandbox"),
		Demo:               os.Getenv("BACKOFFICE_DEMO") == "1",
		DataDir:            DataDir,
		PublicURL:          os.Getenv("BACKOFFICE_PUBLIC_URL"),
		PprofAddr:          os.Getenv("PPROF_ADDR"),
		MetricsAddr:        os.Getenv("METRICS_ADDR"),
		SMTPURL:            os.Getenv("SMTP_URL"),
	}
	var err error
	if c.TrustedProxies, err = ParsePrefixes(os.Getenv("TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if c.RequestTimeout, err = durationEnv("REQUEST_TIMEOUT", DefaultRequestTimeout); err != nil {
		return c, err
	}
	if c.StatementTimeout, err = durationEnv("DB_STATEMENT_TIMEOUT", DefaultStatementTimeout); err != nil {
		return c, err
	}
	switch v := os.Getenv("CALLBACKS_ALLOW_PRIVATE"); v {
	case "", "false", "0":
	case "true", "1":
		c.CallbacksAllowPrivate = true
	default:
		return c, fmt.Errorf("CALLBACKS_ALLOW_PRIVATE must be true or false, not %q", v)
	}
	if c.APIKeyThrottle, err = budgetEnv("API_KEY_THROTTLE", DefaultAPIKeyThrottle); err != nil {
		return c, err
	}
	if c.SessionThrottle, err = budgetEnv("SESSION_THROTTLE", DefaultSessionThrottle); err != nil {
		return c, err
	}
	c.ReconcileAfter = time.Minute
	if v := os.Getenv("RECONCILE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
			return c, fmt.Errorf("RECONCILE_AFTER must be a duration between 100ms and 24h, not %q", v)
		}
		c.ReconcileAfter = d
	}
	if c.EventRetention, err = durationEnv("EVENT_RETENTION", 30*24*time.Hour); err != nil {
		return c, err
	}
	if err := db.CheckPooler(c.DatabasePooler); err != nil {
		return c, err
	}
	if c.ProvidersMode != "sandbox" && c.ProvidersMode != "live" {
		return c, fmt.Errorf("PROVIDERS_MODE must be sandbox or live, not %q", c.ProvidersMode)
	}
	if c.Secret == "" {
		s, err := loadOrCreateSecret(filepath.Join(c.DataDir, "secret"))
		if err != nil {
			return c, err
		}
		c.Secret = s
	}
	if len(c.Secret) < 32 {
		return c, errors.New("BACKOFFICE_SECRET must be at least 32 characters")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + localHost(c.ListenAddr)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, nil
}

// ParsePrefixes reads comma-separated CIDRs ("10.0.0.0/8, 192.0.2.7"); a bare
// address is a single-address prefix.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is neither a CIDR nor an address", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR (e.g. 10.0.0.0/8)", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// durationEnv reads a positive Go duration ("30s", "2m").
func durationEnv(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as 30s, not %q", name, v)
	}
	return d, nil
}

// budgetEnv reads a cost bucket as MAX/RATE: the points it holds, and restores
// per second (both 1 to 1,000,000,000).
func budgetEnv(name string, def limits.Budget) (limits.Budget, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	maxPart, ratePart, ok := strings.Cut(v, "/")
	m, err1 := strconv.Atoi(strings.TrimSpace(maxPart))
	r, err2 := strconv.Atoi(strings.TrimSpace(ratePart))
	if !ok || err1 != nil || err2 != nil || m < 1 || r < 1 || m > 1e9 || r > 1e9 {
		return def, fmt.Errorf("%s must be MAX/RATE (points, points per second; e.g. 1000000/50000), not %q", name, v)
	}
	return limits.Budget{Max: m, Restore: r}, nil
}

// Throttles are the API key and session buckets, defaults where unset.
func (c Config) Throttles() (apiKey, session limits.Budget) {
	apiKey, session = c.APIKeyThrottle, c.SessionThrottle
	if apiKey == (limits.Budget{}) {
		apiKey = DefaultAPIKeyThrottle
	}
	if session == (limits.Budget{}) {
		session = DefaultSessionThrottle
	}
	return apiKey, session
}

// RequestTimeoutOrDefault is RequestTimeout, or its default when unset.
func (c Config) RequestTimeoutOrDefault() time.Duration {
	if c.RequestTimeout > 0 {
		return c.RequestTimeout
	}
	return DefaultRequestTimeout
}

// StatementTimeoutOrDefault is StatementTimeout, or its default when unset.
func (c Config) StatementTimeoutOrDefault() time.Duration {
	if c.StatementTimeout > 0 {
		return c.StatementTimeout
	}
	return DefaultStatementTimeout
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// localHost turns a listen address into one a local browser can reach.
func localHost(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

func loadOrCreateSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("create data folder: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write generated secret: %w", err)
	}
	return s, nil
}
