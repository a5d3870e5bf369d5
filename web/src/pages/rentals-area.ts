// The rental pages, in a chunk of their own (App.tsx loads it when one of them is shown), with their
// strings: the customer app's first download stays as it was.
export { RentalPage, Rentals } from './Rentals.tsx';
