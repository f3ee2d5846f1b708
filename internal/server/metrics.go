package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics, on a registry of their own so tests
// can build several servers in one process.
type Metrics struct {
	Registry      *prometheus.Registry
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	gqlOperations *prometheus.CounterVec
	gqlDuration   *prometheus.HistogramVec
}

// NewMetrics registers the request counters and latency histograms.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backoffice_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "backoffice_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"route", "method"}),
		gqlOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backoffice_graphql_operations_total", Help: "GraphQL operations by name and outcome.",
		}, []string{"operation", "outcome"}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "backoffice_graphql_operation_duration_seconds", Help: "GraphQL operation latency by name.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"operation"}),
	}
	m.Registry.MustRegister(m.httpRequests, m.httpDuration, m.gqlOperations, m.gqlDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

//go:generate go run ./genuiops ../../web/src/gql/graphql.ts ui_operations.go

// OperationLabel is the label a GraphQL operation is counted under. The name is the
// client's choice, so only the web UI's own operations (uiOperations, generated from
// web/src) and the bare operation types keep theirs; every other name is "other".
// Otherwise each new name would be a new series, kept forever.
func OperationLabel(name string) string {
	switch {
	case uiOperations[name]:
		return name
	case name == "query", name == "mutation", name == "subscription":
		return name
	}
	return "other"
}

// ObserveGraphQL records one GraphQL operation under OperationLabel.
func (m *Metrics) ObserveGraphQL(operation string, d time.Duration, failed bool) {
	operation = OperationLabel(operation)
	outcome := "ok"
	if failed {
		outcome = "error"
	}
	m.gqlOperations.WithLabelValues(operation, outcome).Inc()
	m.gqlDuration.WithLabelValues(operation).Observe(d.Seconds())
}

// Middleware counts HTTP requests by their route pattern (not the raw path, so ids
// do not explode the label set).
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		m.httpRequests.WithLabelValues(route, r.Method, strconv.Itoa(ww.Status())).Inc()
		m.httpDuration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}
