import { render } from 'preact';
import '../../components/options.css';
import { App } from './App';

render(<App />, document.getElementById('app')!);
