package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// SettlementExportRoute is where a settlement's CSV is served (docs/api.md "HTTP routes").
const SettlementExportRoute = "/exports/settlements/{id}.csv"

// SettlementExport serves GET /exports/settlements/{id}.csv, authorised like the API:
// the principal comes from authenticate, the same function /graphql uses (a login
// token or an API key); no or bad credentials are 401, and a settlement the principal
// may not see, another tenant's included, is 404 like an unknown id.
func SettlementExport(s *settlement.Settlements, authenticate func(*http.Request) (context.Context, error), log *slog.Logger) http.HandlerFunc {
	if log == nil {
		log = slog.Default()
	}
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if authenticate != nil {
			var err error
			if ctx, err = authenticate(r); err != nil {
				writeText(w, http.StatusUnauthorized, err.Error())
				return
			}
		}
		if p := auth.From(ctx); p == nil || p.IsSystem() {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeText(w, http.StatusUnauthorized, "authentication required: send a login token or an API key as Authorization: Bearer")
			return
		}
		if p := auth.From(ctx); p.MFAEnrolmentRequired {
			writeText(w, http.StatusForbidden, "two-factor sign-in is required: enrol an authenticator app first")
			return
		}
		x, err := s.Export(db.LagTolerant(ctx), chi.URLParam(r, "id"))
		if errors.Is(err, settlement.ErrSettlementNotFound) {
			writeText(w, http.StatusNotFound, "settlement not found")
			return
		}
		var buf bytes.Buffer
		if err == nil {
			err = x.WriteCSV(&buf)
		}
		if err != nil {
			log.ErrorContext(ctx, "settlement export", "err", err)
			writeText(w, http.StatusInternalServerError, "internal error")
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="settlement-`+string(x.Settlement.Date)+"-"+x.Settlement.ID+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}
