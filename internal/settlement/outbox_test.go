package settlement_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/pspbackoffice/backoffice/ent/outboxmessage"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// mailbox is a real SMTP server (go-smtp) on a local port that keeps what it receives
// and asks for the credentials it was given.
type mailbox struct {
	mu         sync.Mutex
	user, pass string
	got        []received
}

type received struct {
	from string
	to   []string
	data string
}

type mailSession struct {
	box  *mailbox
	msg  received
	auth bool
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.box.user || pass != s.box.pass {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.box.mu.Lock()
	s.box.got = append(s.box.got, s.msg)
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.msg = received{} }
func (s *mailSession) Logout() error { return nil }

// startMailbox serves a mailbox on 127.0.0.1 and answers its SMTP_URL.
func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{user: "backoffice", pass: "s3cret"}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // plain text on the loopback, as net/smtp allows for localhost
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, "smtp://backoffice:s3cret@" + l.Addr().String() + "?from=settlements%40psp.example"
}

// TestOwedBalanceMail (defect 6, issue 13): a run that makes a settlement
// MERCHANT_OWES writes a message with the amount, the PSP's IBAN/BIC and the
// reference, to the company's finance e-mail when set, else to the merchant's; the
// outbox job delivers it to a real SMTP server; without SMTP_URL the message is kept,
// NOT_SENT.
func TestOwedBalanceMail(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		box, smtpURL := startMailbox(t)
		w := newLedgerTenant(t, d)
		ledgerMust(t, w.merchant.Update().SetEmail("office@kaskkivi.example").Exec(w.sys))
		w.svc.SMTPURL = smtpURL
		co := w.company(ledgerCompany{})
		w.refund(w.payNow(co, 40_00, "2026-03-25"), 0, 40_00, "2026-03-11", ledgerOK)
		w.run("2026-03-11")
		st := w.settlementOf(co, "2026-03-11")
		if st == nil || st.Status != domain.SettlementMerchantOwes {
			t.Fatalf("settlement %+v, want MERCHANT_OWES", st)
		}
		n, err := w.svc.SendOutbox(w.sys)
		ledgerMust(t, err)
		if n != 1 || len(box.got) != 1 {
			t.Fatalf("sent %d, the server received %d messages, want 1", n, len(box.got))
		}
		m := box.got[0]
		for _, want := range []string{"40.00 EUR", "DE89370400440532013000", "COBADEFFXXX", st.ID, "Subject: Settlement 2026-03-11"} {
			if !strings.Contains(m.data, want) {
				t.Errorf("the e-mail does not say %q:\n%s", want, m.data)
			}
		}
		if m.from != "settlements@psp.example" || len(m.to) != 1 || m.to[0] != "office@kaskkivi.example" {
			t.Errorf("from %s to %v, want the merchant's e-mail (the company has no finance e-mail)", m.from, m.to)
		}
		row := d.Ent.OutboxMessage.Query().Where(outboxmessage.SettlementID(st.ID)).OnlyX(w.sys)
		if row.ToAddress != "office@kaskkivi.example" || row.Status != settlement.OutboxSent || row.SentAt == nil || row.Attempts != 1 {
			t.Fatalf("outbox row %+v, want SENT after one attempt", row)
		}
		if n, _ := w.svc.SendOutbox(w.sys); n != 0 || len(box.got) != 1 {
			t.Fatal("a sent message was sent again")
		}

		// Without an SMTP server the message is kept, not sent.
		w.svc.SMTPURL = ""
		w.refund(w.payNow(co, 20_00, "2026-03-25"), 0, 20_00, "2026-03-12", ledgerOK)
		w.run("2026-03-12")
		st2 := w.settlementOf(co, "2026-03-12")
		row2 := d.Ent.OutboxMessage.Query().Where(outboxmessage.SettlementID(st2.ID)).OnlyX(w.sys)
		if row2.Status != settlement.OutboxNotSent || !strings.Contains(row2.Body, "20.00 EUR") {
			t.Fatalf("outbox row without SMTP %+v, want NOT_SENT with the amount", row2)
		}

		// With a finance e-mail on the company, the mail goes there, not to the merchant.
		ledgerMust(t, d.Ent.Company.UpdateOneID(co.ID).SetFinanceEmail("finance@kaskkivi.example").Exec(w.sys))
		w.svc.SMTPURL = smtpURL
		w.refund(w.payNow(co, 30_00, "2026-03-25"), 0, 30_00, "2026-03-13", ledgerOK)
		w.run("2026-03-13")
		st3 := w.settlementOf(co, "2026-03-13")
		row3 := d.Ent.OutboxMessage.Query().Where(outboxmessage.SettlementID(st3.ID)).OnlyX(w.sys)
		if row3.ToAddress != "finance@kaskkivi.example" || row3.Status != settlement.OutboxQueued {
			t.Fatalf("outbox row %+v, want QUEUED to the company's finance e-mail", row3)
		}
		_, err = w.svc.SendOutbox(w.sys)
		ledgerMust(t, err)
		if len(box.got) != 2 || len(box.got[1].to) != 1 || box.got[1].to[0] != "finance@kaskkivi.example" ||
			!strings.Contains(box.got[1].data, "30.00 EUR") {
			t.Fatalf("the server received %+v, want the 30.00 EUR mail to finance@kaskkivi.example", box.got)
		}
	})
}
