import { render } from 'preact';
import '../../components/popup.css';
import { App } from './App';

render(<App />, document.getElementById('app')!);
