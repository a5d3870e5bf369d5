import { describe, expect, it } from 'vitest';
import { extractCode } from '../extract-code.ts';

// Invented messages in the shapes of round 9's tuning misses (test/data/README.md): letter codes that
// open the message before their name, generated passwords in mixed case after a label, and the word
// "password" in languages the keywords lacked.
describe('letter codes that open the message', () => {
  it('takes a code of capitals and digits printed first, its name later in the same sentence', () => {
    expect(extractCode('K7QX2 is your Northwind Water one-time password for signing in. Do not share it.')).toBe('K7QX2');
    expect(extractCode('7TR4M, Kuzey Enerji hesabınıza giriş için tek kullanımlık şifrenizdir.')).toBe('7TR4M');
    expect(extractCode('HX9WQ je vaše enkratno geslo za prijavo v Mestni Plinovodi.')).toBe('HX9WQ');
  });

  it('takes capitals that no word is made of in that place, and keeps refusing a brand before its code name', () => {
    expect(extractCode('WKTRZ és la teva contrasenya d’un sol ús per iniciar la sessió.')).toBe('WKTRZ');
    expect(extractCode('Your LIKE verification code is ready. Open the app to see it.')).toBeNull();
  });

  it('takes capitals that read like a word when a naming verb and a possessive follow them', () => {
    expect(extractCode('AUEOI ist Ihr Stadtwerke Nord einmaliges Passwort für die Anmeldung.')).toBe('AUEOI');
    expect(extractCode('QUOTE is your Acme login code')).toBe('QUOTE');
    expect(extractCode('SALE is your chance! Use code 482913 at checkout')).not.toBe('SALE');
    expect(extractCode('HELLO is your friend. Your code is 482913')).toBe('482913');
  });

  it('does not take a sender that heads the message as a label', () => {
    expect(extractCode('HSBC: never share your one-time password with anyone.')).toBeNull();
    expect(extractCode('NWTRZ\nNever share your verification code with anyone.')).toBeNull();
  });

  it('does not take a letter code in the middle of a long sentence from a code word far away', () => {
    expect(extractCode('Your parcel QX7TR4 was handed to the courier; the delivery code will follow by SMS.')).toBeNull();
  });
});

describe('generated passwords in mixed case', () => {
  it('takes one that a label hands over', () => {
    expect(extractCode('Your account was created. Log in with username j.doe and temporary password: pR7vXq2LmT9a')).toBe('pR7vXq2LmT9a');
    expect(extractCode('Votre mot de passe temporaire : Hq4sNw8ZkP2d. Changez-le à la première connexion.')).toBe('Hq4sNw8ZkP2d');
  });

  it('does not take mixed case without a label, without a digit, or out of a password’s length', () => {
    expect(extractCode('Your temporary password pR7vXq2LmT9a expires tomorrow.')).toBeNull();
    expect(extractCode('Your temporary password: PasswordLess')).toBeNull();
    expect(extractCode('Your code: iPh15 is not valid.')).toBeNull();
  });
});

describe('"password" in more languages', () => {
  it('names the code in Estonian, Bulgarian, Serbian and Croatian', () => {
    expect(extractCode('Teie ühekordne salasõna on 482913.')).toBe('482913');
    expect(extractCode('Вашата еднократна парола е 739204.')).toBe('739204');
    expect(extractCode('Ваша једнократна лозинка је 615820.')).toBe('615820');
    expect(extractCode('Vaša jednokratna lozinka je 204871.')).toBe('204871');
  });
});
