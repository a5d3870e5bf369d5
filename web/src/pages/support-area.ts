// The support pages (P17), in a chunk of their own (App.tsx loads it when one of them is shown): the
// first download of the app stays as it was.
export { NewSupportConversation } from './NewSupportConversation.tsx';
export { Support } from './Support.tsx';
export { SupportConversation } from './SupportConversation.tsx';
