package settlement

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/outboxmessage"
	entsettlement "github.com/pspbackoffice/backoffice/ent/settlement"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Owed balances by e-mail (docs/providers/paywerk.md "Settlement": "you'll receive an automated e-mail instructing
// where to make the payment and in which amount"; docs/settlement.md). The run that
// makes a settlement MERCHANT_OWES writes, in its own transaction, a message to the
// merchant's e-mail address with the amount, the PSP's account and the reference into
// the outbox; a River job (outboxWorker, every minute) sends what is QUEUED through
// SMTP_URL. Every message is kept, sent or not: NOT_SENT when no SMTP server is
// configured or the merchant has no address, FAILED after MaxOutboxAttempts.

// MaxOutboxAttempts is how often a message is tried before it is FAILED.
const MaxOutboxAttempts = 5

// Outbox statuses.
const (
	OutboxQueued  = outboxmessage.StatusQUEUED
	OutboxSent    = outboxmessage.StatusSENT
	OutboxFailed  = outboxmessage.StatusFAILED
	OutboxNotSent = outboxmessage.StatusNOT_SENT
)

// smtpConfig is SMTP_URL read: smtp://user:pass@host:port?from=address.
type smtpConfig struct {
	addr, host, user, pass, from string
}

func parseSMTPURL(raw string) (smtpConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return smtpConfig{}, fmt.Errorf("SMTP_URL: want smtp://user:pass@host:port, not %q", raw)
	}
	c := smtpConfig{addr: u.Host, host: u.Hostname(), from: u.Query().Get("from")}
	if u.Port() == "" {
		c.addr = net.JoinHostPort(c.host, "587")
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
	}
	if c.from == "" {
		c.from = "settlements@" + c.host
	}
	return c, nil
}

// queueOwedMail writes the outbox message of every settlement this run made
// MERCHANT_OWES (they are few: one per company that owes, per day). It goes to the
// company's finance e-mail (Company.financeEmail) when set, else to the merchant's
// e-mail; with neither, the message is kept NOT_SENT.
func (s *Settlements) queueOwedMail(ctx context.Context, tx *db.Tx, created []string) error {
	sys := auth.System(ctx)
	owed, err := tx.Ent.Settlement.Query().Where(entsettlement.IDIn(created...),
		entsettlement.StatusEQ(domain.SettlementMerchantOwes)).All(sys)
	if err != nil || len(owed) == 0 {
		return err
	}
	for _, st := range owed {
		psp, err := tx.Ent.PSP.Get(sys, st.PspID)
		if err != nil {
			return err
		}
		m, err := tx.Ent.Merchant.Get(sys, st.MerchantID)
		if err != nil {
			return err
		}
		co, err := tx.Ent.Company.Get(sys, st.CompanyID)
		if err != nil {
			return err
		}
		subject, body := owedMail(psp, co, st)
		to := owedMailRecipient(m, co)
		msg := tx.Ent.OutboxMessage.Create().SetPspID(st.PspID).SetMerchantID(st.MerchantID).SetCompanyID(st.CompanyID).
			SetSettlementID(st.ID).SetToAddress(to).SetSubject(subject).SetBody(body).SetStatus(OutboxQueued)
		switch {
		case to == "":
			msg.SetStatus(OutboxNotSent).SetLastError("neither the company's finance e-mail nor the merchant's e-mail is set")
		case s.SMTPURL == "":
			msg.SetStatus(OutboxNotSent).SetLastError("SMTP_URL is not set: nothing is sent")
		}
		if err := msg.Exec(sys); err != nil {
			return err
		}
	}
	return nil
}

// owedMailRecipient is where a company's owed-balance mail goes: its finance e-mail
// when set, else the merchant's e-mail ("" when neither is).
func owedMailRecipient(m *ent.Merchant, co *ent.Company) string {
	if co.FinanceEmail != "" {
		return co.FinanceEmail
	}
	return m.Email
}

// owedMail is the message telling a merchant what it owes and where to pay it.
func owedMail(psp *ent.PSP, co *ent.Company, st *ent.Settlement) (subject, body string) {
	amount := money.New(-st.NetMinor, st.Currency)
	holder := psp.LegalName
	if holder == "" {
		holder = psp.Name
	}
	subject = fmt.Sprintf("Settlement %s of %s: please transfer %s", st.Date, co.LegalName, amount)
	body = fmt.Sprintf(`Hello,

the settlement of %[1]s for %[2]s is negative: refunds and fees exceeded what was paid
out, so %[2]s owes %[3]s.

Please transfer %[3]s to
  Account holder: %[4]s
  IBAN:           %[5]s
  BIC:            %[6]s
  Reference:      %[7]s

What is still owed at your next positive settlement is deducted from it.

%[4]s
`, st.Date, co.LegalName, amount, holder, psp.Iban, psp.Bic, st.PaymentReference)
	return subject, body
}

// SendOutbox sends the QUEUED messages through SMTP_URL and answers how many went
// out. A message that fails is tried again by the next call, FAILED after
// MaxOutboxAttempts.
func (s *Settlements) SendOutbox(ctx context.Context) (int, error) {
	sys := auth.System(ctx)
	queued, err := s.DB.Ent.OutboxMessage.Query().Where(outboxmessage.StatusEQ(OutboxQueued)).
		Order(ent.Asc(outboxmessage.FieldCreatedAt)).Limit(100).All(sys)
	if err != nil || len(queued) == 0 {
		return 0, err
	}
	if s.SMTPURL == "" {
		for _, m := range queued {
			if err := m.Update().SetStatus(OutboxNotSent).SetLastError("SMTP_URL is not set: nothing is sent").Exec(sys); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	cfg, err := parseSMTPURL(s.SMTPURL)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range queued {
		err := cfg.send(m.ToAddress, m.Subject, m.Body, m.ID)
		upd := m.Update().SetAttempts(m.Attempts + 1)
		switch {
		case err == nil:
			upd.SetStatus(OutboxSent).SetSentAt(s.now()).SetLastError("")
			sent++
		case m.Attempts+1 >= MaxOutboxAttempts:
			upd.SetStatus(OutboxFailed).SetLastError(err.Error())
		default:
			upd.SetLastError(err.Error())
		}
		if err := upd.Exec(sys); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// send delivers one message. net/smtp switches to TLS (STARTTLS) whenever the
// server offers it, and sends the credentials only over TLS or to localhost.
func (c smtpConfig) send(to, subject, body, id string) error {
	var a smtp.Auth
	if c.user != "" {
		a = smtp.PlainAuth("", c.user, c.pass, c.host)
	}
	msg := strings.Join([]string{
		"From: " + headerValue(c.from),
		"To: " + headerValue(to),
		"Subject: " + headerValue(subject),
		"Message-ID: <" + id + "@" + c.host + ">",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"",
		strings.ReplaceAll(body, "\n", "\r\n"),
	}, "\r\n")
	return smtp.SendMail(c.addr, a, c.from, []string{to}, []byte(msg))
}

// headerValue keeps a header on its one line: the subject carries the company's legal
// name, and a line break in it would otherwise add headers of the writer's choosing.
func headerValue(v string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(v)
}

// OutboxSendArgs asks for one pass over the outbox.
type OutboxSendArgs struct{}

func (OutboxSendArgs) Kind() string { return "settlement_outbox_send" }

type outboxWorker struct {
	river.WorkerDefaults[OutboxSendArgs]
	s   *Settlements
	log *slog.Logger
}

func (w *outboxWorker) Work(ctx context.Context, _ *river.Job[OutboxSendArgs]) error {
	n, err := w.s.SendOutbox(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "outbox sent", "messages", n)
	}
	return err
}

// outboxJobs registers the sender and answers its schedule: every minute.
func (s *Settlements) outboxJobs(workers *river.Workers, log *slog.Logger) []*river.PeriodicJob {
	river.AddWorker(workers, &outboxWorker{s: s, log: log})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return OutboxSendArgs{}, nil },
		&river.PeriodicJobOpts{ID: "settlement_outbox_send"})}
}
