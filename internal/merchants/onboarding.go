// Package merchants is onboarding: PSP staff create a merchant, add its companies
// (legal entities: registration, IBAN, payout schedule, fee plan), its shops, and
// activate each company with the payment providers; the merchant's status and its
// onboarding checklist follow from those parts.
//
// The decisions a reader would otherwise rediscover:
//
//   - A merchant's status is derived, never set by hand, except SUSPENDED: it is
//     ONBOARDING until at least one company is ACTIVE with a provider and it has a
//     shop, then ACTIVE. Every change to a part ends with refreshStatus in the same
//     transaction (status.go), and the checklist reads the same snapshot, so the two
//     never disagree. Other packages ask CanTakeOrders / CanIssueAPIKeys /
//     ActiveActivation instead of reading the status column.
//   - Activation calls the provider outside any transaction: the PENDING row and a
//     River retry job are committed first (one transaction), then the provider is
//     called, then the answer is recorded (a second transaction). A crash or timeout in
//     between leaves the row PENDING with its job scheduled, so nothing is lost.
//   - Each application to a provider carries its own reference: the company id, and
//     after a rejection "<company id>-<n>". Retries of one application (timeouts,
//     polling a pending review) replay at the provider; a resubmission after the data
//     was corrected is reviewed afresh (activation.go).
//   - In update inputs an empty string clears an optional text or amount field
//     (registration number, VAT id, URL, order amount limits); nil leaves it alone.
package merchants

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Defaults of the activation calls and their retries.
const (
	DefaultCallTimeout   = 15 * time.Second
	DefaultRetryDelay    = 30 * time.Second
	MaxRetryDelay        = time.Hour
	MaxActivationRetries = 25
)

// Onboarding is the onboarding service.
type Onboarding struct {
	// Client is the database; required.
	Client *ent.Client
	// DB runs the transactions that also insert River jobs. Without it (seeds) the
	// service uses ent's own transactions and cannot activate companies.
	DB *db.DB
	// Providers hands out the PSP's provider clients, for activation.
	Providers providers.Registry
	// Jobs inserts the activation retry job in the PENDING row's transaction. It is
	// set after construction: the job client is built after the workers are registered.
	Jobs JobInserter
	// CallTimeout bounds one activation call; zero is DefaultCallTimeout.
	CallTimeout time.Duration
	// RetryDelay is the delay before the first retry; each further retry doubles it,
	// up to MaxRetryDelay. Zero is DefaultRetryDelay.
	RetryDelay time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// JobInserter is what the service needs of the River client (*jobs.Client).
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// problems collects validation problems of one input.
type problems struct{ r domain.Refusal }

func (p *problems) add(field []string, msg string) { p.r.AddErr(ErrInvalidInput, field, msg) }

// addCode adds an ErrInvalidInput problem shown under another code (an amount with
// too many decimals: TOO_MANY_DECIMALS).
func (p *problems) addCode(code string, field []string, msg string) {
	p.r.Problems = append(p.r.Problems, domain.Problem{Code: code, Err: ErrInvalidInput, Field: field, Message: msg})
}

// err is the collected problems as an ErrInvalidInput refusal, or nil.
func (p *problems) err() error {
	if len(p.r.Problems) == 0 {
		return nil
	}
	r := p.r
	return &r
}

func notFound(field, what, id string) error {
	return domain.RefuseErr(ErrNotFound, []string{field}, fmt.Sprintf("%s %s not found", what, id))
}

func (o *Onboarding) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// txn is one transaction: the ent client inside it, and the raw handle for River
// (nil when the service runs without DB).
type txn struct {
	ent *ent.Client
	sql *sql.Tx
}

// inTx runs fn in one transaction, through DB when there is one (so jobs can be
// inserted), else through ent's own transactions. Rows read inside keep the
// transaction's driver, so every method answers what it wrote re-read through
// Client: loading its edges later would otherwise go to a finished transaction.
func (o *Onboarding) inTx(ctx context.Context, fn func(ctx context.Context, tx txn) error) error {
	if o.DB != nil {
		return o.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return fn(ctx, txn{ent: tx.Ent, sql: tx.SQL})
		})
	}
	tx, err := o.Client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(ctx, txn{ent: tx.Client()}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// rowLocks tells whether SELECT … FOR UPDATE is available (PostgreSQL); SQLite's
// immediate transactions serialise writers instead.
func (o *Onboarding) rowLocks() bool { return o.DB != nil && o.DB.IsPostgres() }
