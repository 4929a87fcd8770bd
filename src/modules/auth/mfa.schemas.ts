import { Type } from 'typebox';
import { Nullable } from '../../http/schemas.js';
import { LoginResponse } from './auth.schemas.js';

export const MfaChallengeResponse = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_token: Type.String({ description: 'Short-lived (5 minutes); send it with a code to POST /api/login/mfa/.' }),
  },
  { description: 'The password was right and the user has two-factor authentication: a code is needed.' },
);

export const CompletedLoginResponse = Type.Object({
  ...LoginResponse.properties,
  mfa_enrollment_required: Type.Optional(
    Type.Boolean({ description: 'Present (true) when clinic policy requires MFA and this user has not enrolled yet.' }),
  ),
});

/** /api/login/ answers either the finished login or, for an enrolled user, the MFA challenge. */
export const LoginOrChallengeResponse = Type.Union([CompletedLoginResponse, MfaChallengeResponse]);

const Code = Type.String({ minLength: 1, maxLength: 32, writeOnly: true, description: 'A 6-digit code from the app, or a recovery code.' });

export const LoginMfaBody = Type.Object(
  { mfa_token: Type.String({ minLength: 1, maxLength: 4096 }), code: Code },
  { additionalProperties: false },
);

export const MfaStatus = Type.Object({
  enabled: Type.Boolean(),
  pending: Type.Boolean({ description: 'Enrolment started but not confirmed with a code yet.' }),
  confirmed_at: Nullable(Type.String({ format: 'date-time' })),
  recovery_codes_remaining: Type.Integer(),
  required: Type.Boolean({ description: 'Clinic policy requires MFA for this user.' }),
});

export const MfaEnrolment = Type.Object({
  secret: Type.String({ description: 'Base32 secret, shown this once. Keep it out of screenshots and logs.' }),
  otpauth_uri: Type.String({ description: 'otpauth:// URI for a QR code.' }),
});

export const MfaCodeBody = Type.Object({ code: Code }, { additionalProperties: false });

export const MfaConfirmResponse = Type.Object({
  enabled: Type.Literal(true),
  recovery_codes: Type.Array(Type.String(), { description: 'Single-use codes, shown this once; stored only as hashes.' }),
});

export const MfaDisableBody = Type.Object(
  { code: Type.Optional(Code), password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, writeOnly: true })) },
  { additionalProperties: false },
);

export const SecuritySettings = Type.Object({
  mfa_required: Type.Boolean({ description: 'Require two-factor authentication for staff and providers.' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const SecuritySettingsBody = Type.Object({ mfa_required: Type.Boolean() }, { additionalProperties: false });
