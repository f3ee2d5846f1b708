package sandboxkit

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// SimEvent is what POST <sandbox>/_sandbox/simulate makes happen on the provider's
// side without telling the backoffice (no notification is sent), so reconciliation
// tests and demos can show a difference being found (docs/reconciliation.md).
type SimEvent string

const (
	SimCapture SimEvent = "capture" // capture this much more of the payment
	SimRefund  SimEvent = "refund"  // give back this much of what was captured
	SimCancel  SimEvent = "cancel"  // cancel the payment (or its uncaptured part)
)

// Simulation is one simulate request: the payment by its provider reference, the
// event, and the amount in the payment's currency ("10.00"; ignored by cancel).
type Simulation struct {
	ProviderReference string   `json:"providerReference"`
	Event             SimEvent `json:"event"`
	Amount            string   `json:"amount"`
}

// Simulate errors: ErrSimNotFound answers 404, ErrSimRefused 409 (its wrapped text
// says why).
var (
	ErrSimNotFound = errors.New("sandbox: no such payment")
	ErrSimRefused  = errors.New("sandbox: the payment cannot take this event")
)

// Simulator applies a Simulation to one payment whose account the scope allows; it
// answers ErrSimNotFound for a payment of another account, as for an unknown one.
type Simulator func(ctx context.Context, sim Simulation, allowed ControlScope) error

// ParseSimAmount reads a simulation's amount in the payment's currency: positive,
// at most the currency's decimals.
func ParseSimAmount(s Simulation, currency string) (money.Money, error) {
	m, err := money.Parse(strings.TrimSpace(s.Amount), currency)
	if err != nil || !m.IsPositive() {
		return money.Money{}, errors.Join(ErrSimRefused, errors.New(`amount must be a positive decimal such as "10.00"`))
	}
	return m, nil
}

// MountSimulate registers POST <sandbox>/_sandbox/simulate on a sandbox's mux.
func MountSimulate(mux *http.ServeMux, sim Simulator) {
	mux.HandleFunc("POST "+ControlPrefix+"simulate", func(w http.ResponseWriter, r *http.Request) {
		var in Simulation
		if err := ReadJSON(r, 4<<10, &in); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		switch {
		case in.ProviderReference == "" || len(in.ProviderReference) > 200:
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "providerReference is required (at most 200 characters)"})
			return
		case in.Event != SimCapture && in.Event != SimRefund && in.Event != SimCancel:
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": `event must be "capture", "refund" or "cancel"`})
			return
		}
		err := sim(Detach(r).Context(), in, scopeOf(r))
		switch {
		case errors.Is(err, ErrSimNotFound):
			WriteJSON(w, http.StatusNotFound, map[string]string{"error": "no payment " + in.ProviderReference})
		case errors.Is(err, ErrSimRefused):
			WriteJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		case err != nil:
			WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		default:
			WriteJSON(w, http.StatusOK, map[string]any{"simulated": in})
		}
	})
}

// SimDoc says how a sandbox keeps the payment a simulation changes: its store kind,
// the account and currency of a document.
type SimDoc[T any] struct {
	Store    Store
	Locks    *Locks
	Kind     string
	Account  func(*T) string
	Currency func(*T) string
}

// Apply loads the payment under its lock, refuses one the scope does not allow as
// unknown, reads the amount in its currency (0 for a cancel), lets change apply
// the event and stores the result.
func (d SimDoc[T]) Apply(ctx context.Context, sim Simulation, allowed ControlScope, change func(doc *T, amount int64) error) error {
	unlock := d.Locks.Lock(d.Kind, sim.ProviderReference)
	defer unlock()
	var doc T
	found, err := d.Store.Get(ctx, d.Kind, sim.ProviderReference, &doc)
	if err != nil {
		return err
	}
	if !found || !allowed(d.Account(&doc)) {
		return ErrSimNotFound
	}
	var amount int64
	if sim.Event != SimCancel {
		m, err := ParseSimAmount(sim, d.Currency(&doc))
		if err != nil {
			return err
		}
		amount = m.Minor()
	}
	if err := change(&doc, amount); err != nil {
		return err
	}
	return d.Store.Put(ctx, d.Kind, sim.ProviderReference, doc)
}
