// Every word of the operator console (web/src/console/), apart from the customer app's en.ts so that
// none of it reaches the customer app's bundle. Same conventions as en.ts.

export const c = {
  appName: 'otpbox console',
  skipToContent: 'Skip to content',
  errors: {
    network: 'Could not reach the server. Check the connection and try again.',
    unexpected: 'Something went wrong. Try again; if it keeps happening, look at the server log.',
  },
  signIn: {
    title: 'Staff sign-in',
    intro: 'For support and admin accounts. You will need the code from your authenticator app.',
    email: 'E-mail address',
    password: 'Password',
    submit: 'Continue',
    codeTitle: 'Two-factor code',
    codeIntro: 'Type the six-digit code your authenticator app shows for otpbox.',
    code: 'Code',
    useRecovery: 'Use a recovery code instead',
    useCode: 'Use the authenticator code instead',
    recovery: 'Recovery code',
    recoveryHint: 'Each recovery code works once.',
    verify: 'Sign in',
    startOver: 'Start over',
    notStaff: 'This account is not a staff account. The console is for support and admin staff only.',
    toCustomerApp: 'Go to the customer app',
    signOut: 'Sign out',
  },
  enrol: {
    title: 'Set up two-factor sign-in',
    loading: 'Reading the enrolment link…',
    noToken: 'This page needs the enrolment link from your admin (it ends in #token=…). Open the link exactly as you received it.',
    scan: (email: string) => `Scan this code with an authenticator app (such as Aegis, Google Authenticator or 1Password) for ${email}.`,
    qrLabel: 'QR code of the two-factor secret',
    manual: 'Cannot scan? Enter this key in the app instead:',
    uri: 'Or the whole setup address:',
    confirmIntro: 'Then type the six-digit code the app shows now, to confirm.',
    code: 'Code from the app',
    confirm: 'Confirm',
    expires: (when: string) => `This link works once, until ${when}.`,
    recoveryTitle: 'Your recovery codes',
    recoveryIntro:
      'Keep these ten codes somewhere safe, apart from your phone (a password manager, or on paper). Each one signs you in once if you lose the phone. They are shown only now.',
    recoveryList: 'Recovery codes',
    saved: 'I have saved them: sign in',
  },
  shell: {
    nav: 'Console',
    menu: 'Menu',
    signedInAs: (email: string, role: string) => `${email} (${role})`,
    signOut: 'Sign out',
    notFound: 'There is no such page in the console.',
    home: 'Pick an area in the menu.',
  },
  roles: { customer: 'customer', support: 'support', admin: 'admin' } as Record<string, string>,
} as const;

export type ConsoleStrings = typeof c;
