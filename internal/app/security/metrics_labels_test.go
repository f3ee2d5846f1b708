package security_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// Finding 7: every client-chosen operationName became a label, so 3,000 names grew
// /metrics to 17 MB and 54,000 series, forever.
func TestMetricsLabelOnlyTheUIsOperations(t *testing.T) {
	h := start(t, testdb.SQLite(t))
	for i := range 100 {
		q := fmt.Sprintf(`{"query":"query Made%d { __typename }","operationName":"Made%d"}`, i, i)
		if got := h.do("POST", "/graphql", "", strings.NewReader(q), nil); got.status != http.StatusOK {
			t.Fatalf("query %d: %d %s", i, got.status, got.body)
		}
	}
	h.do("POST", "/graphql", "", strings.NewReader(`{"query":"query Orders { __typename }","operationName":"Orders"}`), nil)
	m := h.do("GET", "/metrics", "", nil, nil)
	text := string(m.body)
	if m.status != http.StatusOK || !strings.Contains(m.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", m.status, m.header.Get("Content-Type"))
	}
	if strings.Contains(text, "Made1") {
		t.Errorf("/metrics carries client-chosen operation names")
	}
	for _, want := range []string{`backoffice_graphql_operations_total{operation="other",outcome="ok"} 100`,
		`backoffice_graphql_operations_total{operation="Orders",outcome="ok"} 1`} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestMetricsAddrMovesMetrics: with METRICS_ADDR, /metrics leaves the main listener
// for a listener of its own.
func TestMetricsAddrMovesMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := start(t, testdb.SQLite(t), func(c *config.Config) { c.MetricsAddr = addr })
	if got := h.do("GET", "/metrics", "", nil, nil); strings.Contains(string(got.body), "backoffice_http_requests_total") {
		t.Fatalf("/metrics still on the main listener: %d", got.status)
	}
	ctx, cancel := contextWithCancel(t)
	served := make(chan error, 1)
	go func() { served <- h.app.ServeListener(ctx, mustListen(t)) }()
	defer func() { cancel(); <-served }()
	var resp *http.Response
	for range 50 {
		if resp, err = http.Get("http://" + addr + "/metrics"); err == nil {
			break
		}
		select {
		case err := <-served:
			t.Fatalf("serve: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET METRICS_ADDR/metrics: %d", resp.StatusCode)
	}
}
