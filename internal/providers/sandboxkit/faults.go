package sandboxkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Operation names every sandbox uses for the operations all providers have, so a
// fault can be aimed at one of them without knowing the provider's paths. A sandbox
// may use further names of its own (document them in its package).
const (
	OpActivate      = "activate_merchant" // merchant activation
	OpCreateSession = "create_session"    // create the payment / hosted page session
	OpFetchStatus   = "fetch_status"      // read a payment's status
	OpCapture       = "capture"           // capture / fulfil / invoice / settle
	OpRefund        = "refund"            // refund / credit note / return
	OpCancel        = "cancel"            // release the uncaptured part
	OpAuthorize     = "authorize"         // the shopper approves on the page: decline faults
	OpNotify        = "notify"            // notification delivery: webhook faults
)

// FaultKind is what an injected fault does.
type FaultKind string

const (
	// FaultLatency answers after Latency, then normally.
	FaultLatency FaultKind = "latency"
	// FaultTimeout never answers: the handler hangs until the client gives up.
	FaultTimeout FaultKind = "timeout"
	// FaultStatus5xx answers 503 with the provider's error body.
	FaultStatus5xx FaultKind = "status_5xx"
	// FaultConflict answers 409 with the provider's error body.
	FaultConflict FaultKind = "conflict"
	// FaultDecline declines the next payment the shopper approves.
	FaultDecline FaultKind = "decline"
	// FaultDuplicateWebhook delivers a notification twice.
	FaultDuplicateWebhook FaultKind = "duplicate_webhook"
	// FaultOutOfOrder holds a notification back until the next one of the same
	// account has been delivered, so an older one arrives after a newer one.
	FaultOutOfOrder FaultKind = "out_of_order"
	// FaultFailDelivery makes delivery attempts fail as if the receiver were down;
	// Count is the number of attempts that fail.
	FaultFailDelivery FaultKind = "fail_delivery"
)

// FaultKinds lists every kind, for validation and documentation.
var FaultKinds = []FaultKind{
	FaultLatency, FaultTimeout, FaultStatus5xx, FaultConflict,
	FaultDecline, FaultDuplicateWebhook, FaultOutOfOrder, FaultFailDelivery,
}

// ErrUnknownFaultKind: a fault was added with a kind this package does not know.
var ErrUnknownFaultKind = errors.New("sandbox: unknown fault kind")

// ErrBadFault: a fault's fields contradict each other (negative count, latency without duration).
var ErrBadFault = errors.New("sandbox: invalid fault")

// ErrTooManyFaults: adding the fault would pass MaxFaultsPerAccount or MaxFaults.
var ErrTooManyFaults = errors.New("sandbox: too many active faults; clear some first")

// ErrFaultNeedsAccount: the control endpoint takes only faults aimed at one account,
// so nobody's fault reaches another merchant's payments.
var ErrFaultNeedsAccount = errors.New("sandbox: a fault needs the account it applies to")

// Caps on active faults: a fault is a few hundred bytes, so these bound the memory an
// admin (or a runaway test) can pin, and keep Take's linear scan short.
const (
	MaxFaultsPerAccount = 32
	MaxFaults           = 256
)

// Fault is one injected misbehaviour.
type Fault struct {
	ID        string        // assigned by Add
	Account   string        // the account id it applies to (Config.AccountID of the credential); "" = any (in-process tests only)
	Operation string        // one of the Op* names or a provider's own; "" = any
	Kind      FaultKind     //
	Count     int           // how many calls (or delivery attempts) it applies to; 0 = until cleared
	Latency   time.Duration // for FaultLatency
	Used      int           // how many times it has applied so far
}

// faultJSON is the wire form: latency as "250ms" (or a number of milliseconds).
type faultJSON struct {
	ID        string          `json:"id,omitempty"`
	Account   string          `json:"account,omitempty"`
	Operation string          `json:"operation,omitempty"`
	Kind      FaultKind       `json:"kind"`
	Count     int             `json:"count,omitempty"`
	Latency   json.RawMessage `json:"latency,omitempty"`
	Used      int             `json:"used,omitempty"`
}

// MarshalJSON writes the latency as a Go duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{ID: f.ID, Account: f.Account, Operation: f.Operation, Kind: f.Kind, Count: f.Count, Used: f.Used}
	if f.Latency > 0 {
		j.Latency, _ = json.Marshal(f.Latency.String())
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the latency as "250ms" or as milliseconds.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault{ID: j.ID, Account: j.Account, Operation: j.Operation, Kind: j.Kind, Count: j.Count, Used: j.Used}
	if len(j.Latency) > 0 && string(j.Latency) != "null" {
		var s string
		if err := json.Unmarshal(j.Latency, &s); err == nil {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%w: latency %q", ErrBadFault, s)
			}
			f.Latency = d
		} else {
			ms, err := strconv.ParseInt(string(j.Latency), 10, 64)
			if err != nil {
				return fmt.Errorf("%w: latency %s is neither \"250ms\" nor milliseconds", ErrBadFault, j.Latency)
			}
			f.Latency = time.Duration(ms) * time.Millisecond
		}
	}
	return nil
}

func (f Fault) validate() error {
	known := false
	for _, k := range FaultKinds {
		if f.Kind == k {
			known = true
		}
	}
	if !known {
		return fmt.Errorf("%w: %q", ErrUnknownFaultKind, f.Kind)
	}
	if f.Count < 0 {
		return fmt.Errorf("%w: count %d is negative", ErrBadFault, f.Count)
	}
	if f.Kind == FaultLatency && f.Latency <= 0 {
		return fmt.Errorf("%w: latency fault needs a positive latency", ErrBadFault)
	}
	return nil
}

// ErrorWriter writes the provider's own error body with the given HTTP status; the
// code and message are suggestions the provider may map to its own vocabulary.
type ErrorWriter func(w http.ResponseWriter, status int, code, message string)

// Faults is the set of injected faults of one sandbox. It is safe for concurrent use.
type Faults struct {
	// MaxHang bounds a timeout fault when the client never gives up; then the
	// request answers 504. Zero means one minute.
	MaxHang time.Duration

	mu     sync.Mutex
	faults []*Fault
	seq    int
}

// NewFaults answers an empty fault set.
func NewFaults() *Faults { return &Faults{} }

// Add injects a fault and answers it with its ID, within MaxFaultsPerAccount and
// MaxFaults.
func (f *Faults) Add(fault Fault) (Fault, error) {
	if err := fault.validate(); err != nil {
		return Fault{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.roomFor(fault.Account, 1); err != nil {
		return Fault{}, err
	}
	f.seq++
	fault.ID = "flt_" + strconv.Itoa(f.seq)
	fault.Used = 0
	f.faults = append(f.faults, &fault)
	return fault, nil
}

// roomFor tells whether n more faults of account fit under the caps; the caller
// holds f.mu.
func (f *Faults) roomFor(account string, n int) error {
	same := 0
	for _, x := range f.faults {
		if x.Account == account {
			same++
		}
	}
	if len(f.faults)+n > MaxFaults || same+n > MaxFaultsPerAccount {
		return fmt.Errorf("%w (at most %d per account, %d in all)", ErrTooManyFaults, MaxFaultsPerAccount, MaxFaults)
	}
	return nil
}

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.faults = nil
	f.mu.Unlock()
}

// Remove removes the faults matching a filter: by ID, or all of an account. Both
// empty removes nothing; use Clear.
func (f *Faults) Remove(id, account string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.faults[:0]
	n := 0
	for _, x := range f.faults {
		if (id != "" && x.ID == id) || (id == "" && account != "" && x.Account == account) {
			n++
			continue
		}
		kept = append(kept, x)
	}
	f.faults = kept
	return n
}

// List answers the active faults in the order they were added.
func (f *Faults) List() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.faults))
	for _, x := range f.faults {
		out = append(out, *x)
	}
	return out
}

// Take consumes one use of the first active fault of one of the kinds that matches
// account and operation, and answers it. A fault whose Count is used up disappears.
func (f *Faults) Take(account, operation string, kinds ...FaultKind) (Fault, bool) {
	if f == nil {
		return Fault{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.faults {
		if x.Account != "" && x.Account != account {
			continue
		}
		if x.Operation != "" && x.Operation != operation {
			continue
		}
		match := false
		for _, k := range kinds {
			if x.Kind == k {
				match = true
			}
		}
		if !match {
			continue
		}
		x.Used++
		taken := *x
		if x.Count > 0 && x.Used >= x.Count {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
		}
		return taken, true
	}
	return Fault{}, false
}

// Apply applies the request faults (latency, timeout, status_5xx, conflict) of
// account and operation. A latency fault delays and lets the request go on; the
// others write the answer through fail. Apply answers true when the answer has been
// written and the handler must stop. Sandboxes call it after authenticating the
// request (so the account is known) and before touching state.
func (f *Faults) Apply(w http.ResponseWriter, r *http.Request, account, operation string, fail ErrorWriter) bool {
	if f == nil {
		return false
	}
	if x, ok := f.Take(account, operation, FaultLatency); ok {
		t := time.NewTimer(x.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true // the client is gone; nobody reads an answer
		}
	}
	x, ok := f.Take(account, operation, FaultTimeout, FaultStatus5xx, FaultConflict)
	if !ok {
		return false
	}
	switch x.Kind {
	case FaultTimeout:
		hang := f.MaxHang
		if hang <= 0 {
			hang = time.Minute
		}
		t := time.NewTimer(hang)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
			fail(w, http.StatusGatewayTimeout, "timeout", "injected timeout")
		}
	case FaultStatus5xx:
		fail(w, http.StatusServiceUnavailable, "service_unavailable", "injected fault: service temporarily unavailable")
	case FaultConflict:
		fail(w, http.StatusConflict, "conflict", "injected fault: conflict with the current state")
	}
	return true
}

// ServeHTTP is the fault control endpoint, mounted at <sandbox>/_sandbox/faults:
// GET lists, POST adds one fault object or an array of them (201 with the added
// faults; each names its account, and all fit under the caps or none is added),
// DELETE clears all, or only ?id= or ?account=. A request carrying a ControlScope
// (WithControlScope) sees and changes only the faults of the accounts it allows.
func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	allowed := scopeOf(r)
	switch r.Method {
	case http.MethodGet:
		var out []Fault
		for _, x := range f.List() {
			if allowed(x.Account) {
				out = append(out, x)
			}
		}
		WriteJSON(w, http.StatusOK, map[string]any{"faults": append([]Fault{}, out...)})
	case http.MethodPost:
		body, err := ReadBody(r, 1<<16)
		if err != nil {
			WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": err.Error()})
			return
		}
		var many []Fault
		if err := json.Unmarshal(body, &many); err != nil {
			var one Fault
			if err := json.Unmarshal(body, &one); err != nil {
				WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a fault object or an array of them: " + err.Error()})
				return
			}
			many = []Fault{one}
		}
		for _, x := range many {
			err := x.validate()
			switch {
			case err != nil:
			case x.Account == "":
				err = ErrFaultNeedsAccount
			case !allowed(x.Account):
				WriteJSON(w, http.StatusForbidden, map[string]string{"error": "sandbox: no account " + strconv.Quote(x.Account) + " of yours at this sandbox"})
				return
			}
			if err != nil {
				WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		}
		added, err := f.addAll(many)
		if err != nil {
			WriteJSON(w, http.StatusTooManyRequests, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusCreated, map[string]any{"faults": added})
	case http.MethodDelete:
		q := r.URL.Query()
		f.mu.Lock()
		kept := f.faults[:0]
		for _, x := range f.faults {
			match := (q.Get("id") == "" || x.ID == q.Get("id")) && (q.Get("account") == "" || x.Account == q.Get("account"))
			if match && allowed(x.Account) {
				continue
			}
			kept = append(kept, x)
		}
		f.faults = kept
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

// addAll adds validated faults all or none, under the caps.
func (f *Faults) addAll(many []Fault) ([]Fault, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	per := map[string]int{}
	for _, x := range many {
		per[x.Account]++
	}
	for account, n := range per {
		if err := f.roomFor(account, n); err != nil {
			return nil, err
		}
	}
	if len(f.faults)+len(many) > MaxFaults {
		return nil, fmt.Errorf("%w (at most %d in all)", ErrTooManyFaults, MaxFaults)
	}
	added := make([]Fault, 0, len(many))
	for _, x := range many {
		f.seq++
		x.ID = "flt_" + strconv.Itoa(f.seq)
		x.Used = 0
		f.faults = append(f.faults, &x)
		added = append(added, x)
	}
	return added, nil
}
