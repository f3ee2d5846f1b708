package psp

import (
	"github.com/pspbackoffice/backoffice/ent/auditevent"
	"github.com/pspbackoffice/backoffice/internal/auth"
)

// actorType is the audit trail's name for the kind of principal.
func actorType(p *auth.Principal) auditevent.ActorType {
	switch p.Kind {
	case auth.KindUser:
		return auditevent.ActorTypeUSER
	case auth.KindAPIKey:
		return auditevent.ActorTypeAPI_KEY
	}
	return auditevent.ActorTypeSYSTEM
}
