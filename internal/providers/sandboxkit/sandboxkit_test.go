package sandboxkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
)

func TestMemoryStoreKeepsCopies(t *testing.T) {
	s := NewMemoryStore()
	ctx := context.Background()
	type doc struct{ Items []string }
	d := doc{Items: []string{"a"}}
	if err := s.Put(ctx, "order", "2", d); err != nil {
		t.Fatal(err)
	}
	_ = s.Put(ctx, "order", "1", doc{})
	d.Items[0] = "changed after Put"
	var got doc
	found, err := s.Get(ctx, "order", "2", &got)
	if err != nil || !found || got.Items[0] != "a" {
		t.Fatalf("Get = %v %v %+v; want the stored copy", found, err, got)
	}
	if found, _ := s.Get(ctx, "order", "3", &got); found {
		t.Fatal("found a document never stored")
	}
	ids, _ := s.List(ctx, "order")
	if strings.Join(ids, ",") != "1,2" {
		t.Fatalf("List = %v", ids)
	}
}

func TestLocksSerialiseOneKey(t *testing.T) {
	var l Locks
	var wg sync.WaitGroup
	n := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := l.Lock("order", "1")
			v := n
			time.Sleep(time.Microsecond)
			n = v + 1
			unlock()
		}()
	}
	wg.Wait()
	if n != 50 || len(l.locks) != 0 {
		t.Fatalf("n = %d, %d locks left", n, len(l.locks))
	}
}

func TestAcceptOnly(t *testing.T) {
	auth := AcceptOnly(Credential{"psp_1", "secret"}, Credential{"key_2", ""})
	cases := []struct {
		user, pass string
		want       bool
	}{
		{"psp_1", "secret", true},
		{"key_2", "", true},
		{"psp_1", "secreT", false},
		{"psp_1", "", false},
		{"key_2", "secret", false},
		{"", "", false},
	}
	for _, c := range cases {
		if got := auth(c.user, c.pass); got != c.want {
			t.Errorf("auth(%q, %q) = %v", c.user, c.pass, got)
		}
	}
}

func TestBearerToken(t *testing.T) {
	for h, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "Bearer": "", "": ""} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", h)
		if got, _ := BearerToken(r); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestNewUUIDIsVersion4(t *testing.T) {
	u := NewUUID()
	if len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) || u == NewUUID() {
		t.Fatalf("NewUUID = %s", u)
	}
}

func TestStripBasePathWithAndWithoutPrefix(t *testing.T) {
	h := StripBasePath("http://127.0.0.1:8080/sandbox/paywerk", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}))
	for in, want := range map[string]string{
		"/sandbox/paywerk/orders": "/orders",
		"/sandbox/paywerk":        "/",
		"/orders":                 "/orders",
		"/sandbox/paywerkx/a":     "/sandbox/paywerkx/a",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", in, nil))
		if rec.Body.String() != want {
			t.Errorf("%s → %s, want %s", in, rec.Body.String(), want)
		}
	}
}

func writeTestError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, map[string]string{"code": code, "message": msg})
}

func TestFaultsApplyByAccountOperationAndCount(t *testing.T) {
	f := NewFaults()
	if _, err := f.Add(Fault{Account: "a", Operation: OpCapture, Kind: FaultStatus5xx, Count: 2}); err != nil {
		t.Fatal(err)
	}
	call := func(account, op string) int {
		rec := httptest.NewRecorder()
		if !f.Apply(rec, httptest.NewRequest("POST", "/", nil), account, op, writeTestError) {
			return 200
		}
		return rec.Code
	}
	got := []int{call("b", OpCapture), call("a", OpRefund), call("a", OpCapture), call("a", OpCapture), call("a", OpCapture)}
	want := []int{200, 200, 503, 503, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("answers %v, want %v", got, want)
		}
	}
	if len(f.List()) != 0 {
		t.Fatalf("a used-up fault stayed: %+v", f.List())
	}
}

func TestFaultValidation(t *testing.T) {
	f := NewFaults()
	if _, err := f.Add(Fault{Kind: "explode"}); !errors.Is(err, ErrUnknownFaultKind) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := f.Add(Fault{Kind: FaultLatency}); !errors.Is(err, ErrBadFault) {
		t.Errorf("latency without duration: %v", err)
	}
	if _, err := f.Add(Fault{Kind: FaultConflict, Count: -1}); !errors.Is(err, ErrBadFault) {
		t.Errorf("negative count: %v", err)
	}
}

func TestFaultTimeoutHangsUntilClientGivesUp(t *testing.T) {
	f := NewFaults()
	_, _ = f.Add(Fault{Kind: FaultTimeout, Count: 1})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.Apply(w, r, "a", OpFetchStatus, writeTestError) {
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c := &http.Client{Timeout: 150 * time.Millisecond}
	start := time.Now()
	if _, err := c.Get(srv.URL); err == nil {
		t.Fatal("a hanging call answered")
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("took %s", took)
	}
	resp, err := c.Get(srv.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the fault: %v", err)
	}
	resp.Body.Close()
}

func TestFaultsOverHTTP(t *testing.T) {
	f := NewFaults()
	mux := http.NewServeMux()
	MountControls(mux, f, nil)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(body string) *http.Response {
		resp, err := http.Post(srv.URL+"/_sandbox/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(`{"account":"a","kind":"latency","latency":"250ms","count":1}`); r.StatusCode != 201 {
		t.Fatalf("POST one: %s", r.Status)
	}
	if r := post(`[{"account":"b","kind":"latency","latency":40},{"account":"b","kind":"conflict","operation":"capture"}]`); r.StatusCode != 201 {
		t.Fatalf("POST array: %s", r.Status)
	}
	if r := post(`{"kind":"conflict"}`); r.StatusCode != 400 {
		t.Fatalf("POST without an account: %s, want 400: a fault must not hit every merchant", r.Status)
	}
	if r := post(`{"kind":"meteor"}`); r.StatusCode != 400 {
		t.Fatalf("POST unknown kind: %s", r.Status)
	}
	got := f.List()
	if len(got) != 3 || got[0].Latency != 250*time.Millisecond || got[1].Latency != 40*time.Millisecond || got[2].Operation != OpCapture {
		t.Fatalf("faults = %+v", got)
	}
	resp, _ := http.Get(srv.URL + "/_sandbox/faults")
	var listed struct{ Faults []Fault }
	_ = json.NewDecoder(resp.Body).Decode(&listed)
	resp.Body.Close()
	if len(listed.Faults) != 3 || listed.Faults[0].Latency != 250*time.Millisecond {
		t.Fatalf("GET = %+v", listed)
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/_sandbox/faults?account=a", nil)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if len(f.List()) != 2 {
		t.Fatalf("DELETE ?account=a left %+v", f.List())
	}
	req, _ = http.NewRequest("DELETE", srv.URL+"/_sandbox/faults", nil)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 204 || len(f.List()) != 0 {
		t.Fatalf("DELETE: %s, %+v", resp.Status, f.List())
	}
}

// receiver records bodies and answers 500 for the first failures requests.
type receiver struct {
	mu       sync.Mutex
	bodies   []string
	failures int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.failures--
		w.WriteHeader(500)
		return
	}
	r.bodies = append(r.bodies, string(b)+req.Header.Get("X-Test"))
	w.WriteHeader(204)
}

func (r *receiver) got() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.bodies, ",")
}

func newNotifier(t *testing.T, f *Faults) (*Notifier, *receiver, string) {
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	n := NewNotifier(NotifierConfig{Faults: f, Retry: TestRetry, HoldFor: time.Second})
	t.Cleanup(n.Close)
	return n, rcv, srv.URL
}

func TestNotifierRetriesUntil2xx(t *testing.T) {
	n, rcv, url := newNotifier(t, nil)
	rcv.failures = 2
	n.Send(Notification{URL: url, Body: []byte("a"), Header: http.Header{"X-Test": {"!"}}})
	n.Wait()
	if rcv.got() != "a!" {
		t.Fatalf("received %q", rcv.got())
	}
	at := n.Attempts()
	if len(at) != 3 || at[0].Status != 500 || at[0].Delivered || !at[2].Delivered || at[2].Number != 3 {
		t.Fatalf("attempts %+v", at)
	}
	if gap := at[2].At.Sub(at[1].At); gap < 2*TestRetry.Initial {
		t.Fatalf("the second wait was %s; it should double", gap)
	}
}

func TestNotifierGivesUpAfterMaxAttempts(t *testing.T) {
	rcv := &receiver{failures: 100}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Retry: Retry{Initial: time.Millisecond, Max: 2 * time.Millisecond, MaxAttempts: 3}})
	defer n.Close()
	n.Send(Notification{URL: srv.URL})
	n.Wait()
	if len(n.Attempts()) != 3 || rcv.got() != "" {
		t.Fatalf("attempts %d", len(n.Attempts()))
	}
}

func TestNotifierFaults(t *testing.T) {
	t.Run("duplicate", func(t *testing.T) {
		f := NewFaults()
		_, _ = f.Add(Fault{Account: "a", Kind: FaultDuplicateWebhook, Count: 1})
		n, rcv, url := newNotifier(t, f)
		n.Send(Notification{Account: "a", URL: url, Body: []byte("x")})
		n.Wait()
		n.Send(Notification{Account: "a", URL: url, Body: []byte("y")})
		n.Wait()
		if rcv.got() != "x,x,y" {
			t.Fatalf("received %q", rcv.got())
		}
	})
	t.Run("out_of_order", func(t *testing.T) {
		f := NewFaults()
		_, _ = f.Add(Fault{Account: "a", Operation: OpNotify, Kind: FaultOutOfOrder, Count: 1})
		n, rcv, url := newNotifier(t, f)
		n.Send(Notification{Account: "a", URL: url, Body: []byte("old")})
		n.Send(Notification{Account: "b", URL: url, Body: []byte("other")})
		n.Wait()
		// b's notification does not release a's; a's held one goes after HoldFor.
		if rcv.got() != "other,old" {
			t.Fatalf("received %q", rcv.got())
		}
		_, _ = f.Add(Fault{Account: "a", Kind: FaultOutOfOrder, Count: 1})
		rcv.bodies = nil
		n.Send(Notification{Account: "a", URL: url, Body: []byte("1")})
		start := time.Now()
		n.Send(Notification{Account: "a", URL: url, Body: []byte("2")})
		n.Wait()
		if rcv.got() != "2,1" || time.Since(start) > 500*time.Millisecond {
			t.Fatalf("received %q after %s", rcv.got(), time.Since(start))
		}
	})
	t.Run("fail_delivery", func(t *testing.T) {
		f := NewFaults()
		_, _ = f.Add(Fault{Kind: FaultFailDelivery, Count: 2})
		n, rcv, url := newNotifier(t, f)
		n.Send(Notification{URL: url, Body: []byte("z")})
		n.Wait()
		at := n.Attempts()
		if rcv.got() != "z" || len(at) != 3 || !at[0].Injected || !at[1].Injected || !at[2].Delivered {
			t.Fatalf("received %q, attempts %+v", rcv.got(), at)
		}
	})
}

func TestNotifierSendNeverBlocks(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	n := NewNotifier(NotifierConfig{Retry: TestRetry})
	start := time.Now()
	for range 20 {
		n.Send(Notification{URL: srv.URL})
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Fatal("Send waited for the receiver")
	}
	n.Close() // cancels the hanging deliveries
	n.Send(Notification{URL: srv.URL})
	if last := n.Attempts()[len(n.Attempts())-1]; !strings.Contains(last.Error, "closed") {
		t.Fatalf("a send after Close: %+v", last)
	}
}

func TestPageRendersAndReadsForm(t *testing.T) {
	rec := httptest.NewRecorder()
	err := RenderPage(rec, 200, Page{Provider: "Paywerk", Merchant: "Shop <b>", Amount: money.MustParse("1238.16", "EUR"),
		ProductTypes: []PageOption{{Value: "SLICE", Label: "Pay in 3 parts", Disabled: true, Note: "100–2000 EUR only"}}})
	if err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	for _, want := range []string{"1238.16 EUR", `value="approve"`, `value="decline"`, `name="productType" value="SLICE"`, "disabled", "Shop &lt;b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	req := httptest.NewRequest("POST", "/p", bytes.NewBufferString(PageForm{Action: ActionApprove, ProductType: "INVOICE"}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f, err := ReadPageForm(req)
	if err != nil || f.Action != ActionApprove || f.ProductType != "INVOICE" {
		t.Fatalf("ReadPageForm = %+v, %v", f, err)
	}
	req = httptest.NewRequest("POST", "/p", strings.NewReader("action=maybe"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := ReadPageForm(req); !errors.Is(err, ErrBadPageAction) {
		t.Fatalf("action=maybe: %v", err)
	}
}

func TestNotifierKeepsAnAccountsOrderWithoutBlockingOnRetries(t *testing.T) {
	n, rcv, url := newNotifier(t, nil)
	var want []string
	for i := range 30 {
		b := strings.Repeat("x", i%3) + string(rune('a'+i%26))
		want = append(want, b)
		n.Send(Notification{Account: "a", URL: url, Body: []byte(b)})
	}
	n.Wait()
	if got := rcv.got(); got != strings.Join(want, ",") {
		t.Fatalf("arrival order\n%s\nwant\n%s", got, strings.Join(want, ","))
	}
	// The first one fails once: the second arrives before its retry.
	rcv.mu.Lock()
	rcv.bodies, rcv.failures = nil, 1
	rcv.mu.Unlock()
	n.Send(Notification{Account: "a", URL: url, Body: []byte("1")})
	n.Send(Notification{Account: "a", URL: url, Body: []byte("2")})
	n.Wait()
	if rcv.got() != "2,1" {
		t.Fatalf("received %q: a retry held the next notification up", rcv.got())
	}
}

// TestFaultCapsAndScope: the control endpoint keeps at most MaxFaultsPerAccount per
// account (all of a batch or none), and a scoped request sees and changes only the
// faults of its own accounts.
func TestFaultCapsAndScope(t *testing.T) {
	f := NewFaults()
	mux := http.NewServeMux()
	MountControls(mux, f, nil)
	own := func(id string) bool { return id == "mine" }
	do := func(method, query, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/_sandbox/faults"+query, strings.NewReader(body))
		r = r.WithContext(WithControlScope(r.Context(), own))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	batch := "[" + strings.TrimSuffix(strings.Repeat(`{"account":"mine","kind":"conflict"},`, MaxFaultsPerAccount+1), ",") + "]"
	if w := do("POST", "", batch); w.Code != http.StatusTooManyRequests || len(f.List()) != 0 {
		t.Fatalf("a batch over the cap: %d, %d added; want 429 and none", w.Code, len(f.List()))
	}
	if w := do("POST", "", `{"account":"theirs","kind":"conflict"}`); w.Code != http.StatusForbidden {
		t.Fatalf("a fault on another's account: %d, want 403", w.Code)
	}
	if _, err := f.Add(Fault{Account: "theirs", Kind: FaultConflict}); err != nil {
		t.Fatal(err)
	}
	for i := range MaxFaultsPerAccount {
		if w := do("POST", "", `{"account":"mine","kind":"conflict"}`); w.Code != http.StatusCreated {
			t.Fatalf("fault %d: %d %s", i, w.Code, w.Body)
		}
	}
	if w := do("POST", "", `{"account":"mine","kind":"conflict"}`); w.Code != http.StatusTooManyRequests {
		t.Fatalf("one past the cap: %d, want 429", w.Code)
	}
	if w := do("GET", "", ""); strings.Contains(w.Body.String(), "theirs") {
		t.Fatalf("GET shows another account's fault: %s", w.Body)
	}
	do("DELETE", "", "")
	if got := f.List(); len(got) != 1 || got[0].Account != "theirs" {
		t.Fatalf("DELETE in scope left %+v, want only the other account's fault", got)
	}
	for range MaxFaults {
		_, _ = f.Add(Fault{Account: NewID("a"), Kind: FaultConflict})
	}
	if len(f.List()) != MaxFaults {
		t.Fatalf("%d faults, want the total cap %d", len(f.List()), MaxFaults)
	}
}
