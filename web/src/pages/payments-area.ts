// The pages of buying credits, in a chunk of their own (App.tsx loads it when one of them is shown):
// most visits buy numbers with the credits they have, and the first download stays as it was.
export { Payment } from './Payment.tsx';
export { Payments } from './Payments.tsx';
export { Receipt } from './Receipt.tsx';
export { TopUp } from './TopUp.tsx';
