// Package config reads the server's configuration from the environment, exactly the
// variables of API.md, with their defaults. Nothing else configures the server.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is the server's configuration.
type Config struct {
	DatabaseURL   string // "" → ./data/backoffice.db
	ListenAddr    string // ":8080"
	Secret        string // signs JWTs, peppers API key hashes, encrypts provider credentials
	AdminEmail    string // on an empty database: the first PSP's PSP_ADMIN
	AdminPassword string
	ProvidersMode string // "sandbox" or "live"
	Demo          bool   // load the demo data set into an empty database
	DataDir       string // where the SQLite file and the generated secret live
	PublicURL     string // how the outside reaches this server (payment page and webhook URLs)
	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on its own listener,
	// never on the public one: an operator's tool for finding where time goes.
	PprofAddr string
	// SMTPURL is where owed-balance e-mails are sent (smtp://user:pass@host:port,
	// STARTTLS where offered); empty: they are kept in the outbox, not sent.
	SMTPURL string
}

// DataDir is where generated state lives when nothing else is configured.
const DataDir = "./data"

// FromEnv reads the configuration. A missing BACKOFFICE_SECRET is generated once into
// ./data/secret so restarts keep the same keys.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		ListenAddr:    envOr("LISTEN_ADDR", ":8080"),
		Secret:        os.Getenv("BACKOFFICE_SECRET"),
		AdminEmail:    os.Getenv("BACKOFFICE_ADMIN_EMAIL"),
		AdminPassword: os.Getenv("BACKOFFICE_ADMIN_PASSWORD"),
		ProvidersMode: envOr("PROVIDERS_MODE", "sandbox"),
		Demo:          os.Getenv("BACKOFFICE_DEMO") == "1",
		DataDir:       DataDir,
		PublicURL:     os.Getenv("BACKOFFICE_PUBLIC_URL"),
		PprofAddr:     os.Getenv("PPROF_ADDR"),
		SMTPURL:       os.Getenv("SMTP_URL"),
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
