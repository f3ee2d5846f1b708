package merchants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/shop"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// ActivateCompany activates a company with a provider through the PSP's account
// there. The answer is recorded as the activation's status: ACTIVE (for Billie with
// the merchant ID every later Billie call carries), REJECTED with the provider's
// reason, or PENDING while the provider reviews or does not answer, with a job that
// asks again with backoff. A REJECTED activation can be activated again once the
// data is corrected: that is a new application. An ACTIVE one is answered as it is.
func (o *Onboarding) ActivateCompany(ctx context.Context, companyID string, p domain.Provider) (*ent.ProviderActivation, error) {
	if !slices.Contains(p.Values(), string(p)) {
		return nil, domain.RefuseErr(ErrInvalidInput, []string{"provider"}, fmt.Sprintf("%q is not a provider", p))
	}
	if o.DB == nil || o.Jobs == nil {
		return nil, errors.New("merchants: activation needs the database and the job client")
	}
	co, err := o.Client.Company.Get(ctx, companyID)
	if ent.IsNotFound(err) {
		return nil, notFound("companyId", "company", companyID)
	}
	if err != nil {
		return nil, err
	}
	if _, err := NormalizeIBAN(co.Iban); err != nil {
		return nil, domain.RefuseErr(ErrInvalidInput, []string{"companyId"},
			fmt.Sprintf("%s has no valid IBAN: correct it with updateCompany first", co.LegalName))
	}
	client, err := o.Providers.For(ctx, co.PspID, p)
	if err != nil {
		return nil, domain.RefuseErr(ErrNoProviderAccount, []string{"provider"},
			fmt.Sprintf("the PSP has no usable %s account: %v", p, err))
	}

	// 1. Record the application as PENDING, with its retry job, and commit.
	var act *ent.ProviderActivation
	var req providers.Merchant
	err = o.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		m, err := o.lockMerchant(ctx, tx.Ent, co.MerchantID, "companyId")
		if err != nil {
			return err
		}
		if co, err = tx.Ent.Company.Get(ctx, companyID); err != nil { // as of the lock
			return err
		}
		act, err = tx.Ent.ProviderActivation.Query().Where(provideractivation.CompanyID(co.ID),
			provideractivation.ProviderEQ(p)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			act, err = tx.Ent.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(p).
				SetStatus(domain.ActivationPending).SetAttempts(1).Save(ctx)
		case err != nil:
			return err
		case act.Status == domain.ActivationActive:
			return nil
		case act.Status == domain.ActivationRejected: // corrected data: a new application
			act, err = tx.Ent.ProviderActivation.UpdateOne(act).SetStatus(domain.ActivationPending).
				AddApplication(1).SetAttempts(1).ClearReason().ClearExternalMerchantID().Save(ctx)
		default: // PENDING: ask again now, as the same application
			act, err = tx.Ent.ProviderActivation.UpdateOne(act).AddAttempts(1).Save(ctx)
		}
		if err != nil {
			return err
		}
		if req, err = merchantOf(ctx, tx.Ent, m, co, act.Application); err != nil {
			return err
		}
		if _, err := refreshStatus(ctx, tx.Ent, m); err != nil {
			return err
		}
		return o.scheduleRetry(ctx, tx, act, 1)
	})
	if err != nil {
		return nil, err
	}
	if act.Status == domain.ActivationActive {
		return o.Client.ProviderActivation.Get(ctx, act.ID)
	}

	// 2. Ask the provider, outside any transaction. 3. Record its answer.
	res, callErr := o.call(ctx, client, req)
	return o.record(ctx, act.ID, act.Application, res, callErr)
}

// applicationRef is what the provider knows an application by (the external id):
// the company id for the first, "<company id>-<n>" for the n-th.
func applicationRef(companyID string, application int) string {
	if application <= 1 {
		return companyID
	}
	return companyID + "-" + strconv.Itoa(application)
}

// merchantOf is the company as the provider needs it.
func merchantOf(ctx context.Context, c *ent.Client, m *ent.Merchant, co *ent.Company, application int) (providers.Merchant, error) {
	req := providers.Merchant{CompanyID: applicationRef(co.ID, application), LegalName: co.LegalName,
		Country: co.Country, VATID: co.VatID, IBAN: co.Iban, Email: m.Email}
	if co.RegistrationNumber != nil {
		req.RegistrationNumber = *co.RegistrationNumber
	}
	s, err := c.Shop.Query().Where(shop.MerchantID(m.ID), shop.URLNEQ("")).Order(ent.Asc(shop.FieldCreatedAt)).First(ctx)
	switch {
	case err == nil:
		req.URL = s.URL
	case !ent.IsNotFound(err):
		return req, err
	}
	return req, nil
}

// call asks the provider, bounded by CallTimeout.
func (o *Onboarding) call(ctx context.Context, client providers.Provider, req providers.Merchant) (providers.Activation, error) {
	timeout := o.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return client.ActivateMerchant(ctx, req)
}

// temporary tells whether a failed call may simply be repeated later.
func temporary(err error) bool {
	return providers.IsTemporary(err) || errors.Is(err, context.DeadlineExceeded)
}

// describe says in a few words what went wrong with a call, for staff: the
// provider's status and message, not our request's URL.
func describe(err error) string {
	var pe *providers.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline exceeded"):
		return "timed out"
	case errors.As(err, &pe) && pe.HTTPStatus != 0 && pe.Message != "":
		return fmt.Sprintf("HTTP %d: %s", pe.HTTPStatus, pe.Message)
	case errors.As(err, &pe) && pe.HTTPStatus != 0:
		return fmt.Sprintf("HTTP %d", pe.HTTPStatus)
	case errors.As(err, &pe) && pe.Message != "":
		return pe.Message
	}
	return err.Error()
}

// record stores the provider's answer to one application, unless the activation has
// moved on meanwhile (answered by a concurrent call, or a newer application).
func (o *Onboarding) record(ctx context.Context, id string, application int, res providers.Activation, callErr error) (*ent.ProviderActivation, error) {
	var out *ent.ProviderActivation
	err := o.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		act, err := tx.Ent.ProviderActivation.Query().Where(provideractivation.ID(id)).
			WithCompany(func(q *ent.CompanyQuery) { q.Select(company.FieldID, company.FieldMerchantID) }).Only(ctx)
		if err != nil {
			return err
		}
		m, err := o.lockMerchant(ctx, tx.Ent, act.Edges.Company.MerchantID, "companyId")
		if err != nil {
			return err
		}
		if act, err = tx.Ent.ProviderActivation.Get(ctx, id); err != nil { // as of the lock
			return err
		}
		out = act
		if act.Status != domain.ActivationPending || act.Application != application {
			return nil
		}
		u := tx.Ent.ProviderActivation.UpdateOne(act)
		name := providerName(act.Provider)
		switch {
		case callErr != nil && temporary(callErr):
			u.SetReason(fmt.Sprintf("no answer from %s yet (%s); asking again", name, describe(callErr)))
		case callErr != nil:
			u.SetStatus(domain.ActivationRejected).SetReason(fmt.Sprintf("%s refused the activation: %s", name, describe(callErr)))
		case res.Status == providers.ActivationActive:
			u.SetStatus(domain.ActivationActive).SetActivatedAt(o.now()).ClearReason()
		case res.Status == providers.ActivationRejected:
			reason := res.Reason
			if reason == "" {
				reason = fmt.Sprintf("%s rejected the company without giving a reason", name)
			}
			u.SetStatus(domain.ActivationRejected).SetReason(reason)
		default:
			reason := res.Reason
			if reason == "" {
				reason = fmt.Sprintf("%s is reviewing the company", name)
			}
			u.SetReason(reason)
		}
		if callErr == nil && res.ExternalMerchantID != "" {
			u.SetExternalMerchantID(res.ExternalMerchantID)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		_, err = refreshStatus(ctx, tx.Ent, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.ProviderActivation.Get(ctx, out.ID)
}

// ActivationJobArgs asks to resolve one PENDING application.
type ActivationJobArgs struct {
	ActivationID string `json:"activation_id" river:"unique"`
	Application  int    `json:"application" river:"unique"`
}

// Kind implements river.JobArgs.
func (ActivationJobArgs) Kind() string { return "merchants_activate_company" }

// InsertOpts: one job per application at a time; finished jobs do not block a new one.
func (ActivationJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxActivationRetries, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// scheduleRetry inserts the job that asks again if the activation is still PENDING
// after the delay of the given attempt.
func (o *Onboarding) scheduleRetry(ctx context.Context, tx *db.Tx, act *ent.ProviderActivation, attempt int) error {
	_, err := o.Jobs.InsertTx(ctx, tx.SQL, ActivationJobArgs{ActivationID: act.ID, Application: act.Application},
		&river.InsertOpts{ScheduledAt: o.now().Add(o.retryDelay(attempt))})
	return err
}

// retryDelay is RetryDelay doubled per attempt, at most MaxRetryDelay.
func (o *Onboarding) retryDelay(attempt int) time.Duration {
	d := o.RetryDelay
	if d <= 0 {
		d = DefaultRetryDelay
	}
	for i := 1; i < attempt && d < MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, MaxRetryDelay)
}

// ActivationWorker resolves PENDING activations: it asks the provider again and
// records the answer; while the answer stays PENDING it fails, so River retries it
// with the service's backoff.
type ActivationWorker struct {
	river.WorkerDefaults[ActivationJobArgs]
	Onboarding *Onboarding
}

// Work implements river.Worker.
func (w *ActivationWorker) Work(ctx context.Context, job *river.Job[ActivationJobArgs]) error {
	ctx = auth.System(ctx)
	o := w.Onboarding
	act, err := o.Client.ProviderActivation.Query().Where(provideractivation.ID(job.Args.ActivationID)).
		WithCompany(func(q *ent.CompanyQuery) { q.WithMerchant() }).Only(ctx)
	if ent.IsNotFound(err) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if act.Status != domain.ActivationPending || act.Application != job.Args.Application {
		return nil
	}
	co := act.Edges.Company
	client, err := o.Providers.For(ctx, co.PspID, act.Provider)
	if err != nil {
		return err
	}
	req, err := merchantOf(ctx, o.Client, co.Edges.Merchant, co, act.Application)
	if err != nil {
		return err
	}
	if err := o.Client.ProviderActivation.UpdateOne(act).AddAttempts(1).Exec(ctx); err != nil {
		return err
	}
	res, callErr := o.call(ctx, client, req)
	act, err = o.record(ctx, act.ID, act.Application, res, callErr)
	if err != nil {
		return err
	}
	if act.Status == domain.ActivationPending && act.Application == job.Args.Application {
		return fmt.Errorf("activation %s with %s still pending: %s", act.ID, act.Provider, act.Reason)
	}
	return nil
}

// NextRetry implements river.Worker: the service's doubling backoff.
func (w *ActivationWorker) NextRetry(job *river.Job[ActivationJobArgs]) time.Time {
	return time.Now().Add(w.Onboarding.retryDelay(job.Attempt + 1))
}

// Timeout implements river.Worker: one provider call and two short transactions.
func (w *ActivationWorker) Timeout(*river.Job[ActivationJobArgs]) time.Duration {
	t := w.Onboarding.CallTimeout
	if t <= 0 {
		t = DefaultCallTimeout
	}
	return t + 30*time.Second
}
